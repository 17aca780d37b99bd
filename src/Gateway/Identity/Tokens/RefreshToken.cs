using System.Security.Cryptography;
using System.Text;

namespace Shop.Gateway.Identity.Tokens;

/// <summary>
/// A refresh token, stored by the SHA-256 of its value (the value itself is never stored). Tokens rotate on every use;
/// all tokens descending from one login share a family, so presenting an already-rotated token revokes the family.
/// </summary>
public class RefreshToken
{
    public string Id { get; set; } = "";
    public Guid UserId { get; set; }
    public Guid FamilyId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public string? ReplacedBy { get; set; }

    public static string NewValue() => Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string HashOf(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
