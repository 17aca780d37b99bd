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

    /// <summary>
    /// When the owner of the address proved it (the link in the verification email, or an admin). A password account that
    /// is not verified cannot sign in; an account linked to the external provider was verified by the provider.
    /// </summary>
    public DateTimeOffset? EmailVerifiedAt { get; set; }

    public bool IsVerified => EmailVerifiedAt is not null;

    /// <summary>The sign-in key of an email as typed (see <see cref="Emails.EmailAddress"/>).</summary>
    public static string Normalize(string email) => Emails.EmailAddress.NormalizeForLookup(email);
}
