namespace Shop.Gateway.Identity;

/// <summary>A Shop account. The password is stored only as an ASP.NET Core Identity PasswordHasher hash.</summary>
public class User
{
    public Guid Id { get; set; }
    public string Email { get; set; } = "";
    /// <summary>
    /// Lower-cased email, the password sign-in key: unique, so two accounts never differ only by case. Null for an account
    /// that signs in only through the external OIDC provider (it claims no email here and has no password).
    /// </summary>
    public string? NormalizedEmail { get; set; }
    public string Name { get; set; } = "";
    public string PasswordHash { get; set; } = "";
    public List<string> Roles { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }

    public static string Normalize(string email) => email.Trim().ToLowerInvariant();
}
