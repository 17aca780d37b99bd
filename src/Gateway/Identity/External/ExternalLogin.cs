namespace Shop.Gateway.Identity.External;

/// <summary>Links a subject of the external OIDC provider to its Shop account (created on the subject's first request).</summary>
public class ExternalLogin
{
    /// <summary>"{issuer}|{subject}": a subject is unique only within its issuer.</summary>
    public string Id { get; set; } = "";
    public Guid UserId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    public static string KeyOf(string issuer, string subject) => $"{issuer}|{subject}";
}
