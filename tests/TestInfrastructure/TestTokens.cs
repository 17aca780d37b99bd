using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Shop.Testing;

/// <summary>Access tokens signed like the gateway signs them, for tests that call a service directly.</summary>
public static class TestTokens
{
    /// <summary>A token of an account whose email address is verified (what the gateway issues at sign-in).</summary>
    public static string Create(string signingKey, Guid userId, string email, params string[] roles) =>
        Create(signingKey, userId, email, emailVerified: true, roles);

    /// <summary>A token that says whether the account's address is verified (email_verified), as the gateway's do.</summary>
    public static string Create(string signingKey, Guid userId, string email, bool emailVerified, params string[] roles)
    {
        var claims = new List<Claim> { new("sub", userId.ToString()), new("email", email), new("name", email), new("jti", Guid.NewGuid().ToString("N")) };
        if (emailVerified)
            claims.Add(new Claim("email_verified", "true"));
        claims.AddRange(roles.Select(role => new Claim("role", role)));
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "shop-gateway",
            Audience = "shop",
            Subject = new ClaimsIdentity(claims),
            Expires = DateTime.UtcNow.AddMinutes(30),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(signingKey)), SecurityAlgorithms.HmacSha256),
        });
    }
}
