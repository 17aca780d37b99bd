using System.Security.Claims;
using Marten;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Shop.BuildingBlocks.Security;

namespace Shop.Gateway.Identity.Tokens;

public record TokenResponse(string AccessToken, string RefreshToken, int ExpiresIn, string TokenType = "Bearer");

public sealed class TokenIssuer(JwtSettings settings, IConfiguration configuration, TimeProvider clock)
{
    readonly TimeSpan _refreshLifetime = TimeSpan.FromDays(configuration.GetValue("Jwt:RefreshTokenDays", 14));

    /// <summary>Issues an access token and a new refresh token (stored hashed in the session; the caller commits).</summary>
    public TokenResponse Issue(User user, IDocumentSession session, Guid? familyId = null)
    {
        var now = clock.GetUtcNow();
        var accessToken = AccessToken(user.Id, user.Email, user.Name, user.Roles, user.IsVerified);
        var refreshValue = RefreshToken.NewValue();
        session.Insert(new RefreshToken
        {
            Id = RefreshToken.HashOf(refreshValue),
            UserId = user.Id,
            FamilyId = familyId ?? Guid.NewGuid(),
            CreatedAt = now,
            ExpiresAt = now + _refreshLifetime,
        });
        return new TokenResponse(accessToken, refreshValue, (int)settings.AccessTokenLifetime.TotalSeconds);
    }

    /// <summary>A signed access token for the user: what every service accepts.</summary>
    public string AccessToken(Guid userId, string email, string name, IEnumerable<string> roles, bool emailVerified)
    {
        var now = clock.GetUtcNow();
        var claims = new List<Claim>
        {
            new(ShopClaims.Subject, userId.ToString()),
            new(ShopClaims.Email, email),
            new(ShopClaims.Name, name),
            new(JwtRegisteredClaimNames.Jti, Guid.NewGuid().ToString("N")),
        };
        if (emailVerified)
            claims.Add(new Claim(ShopClaims.EmailVerified, "true"));
        claims.AddRange(roles.Select(role => new Claim(ShopClaims.Role, role)));

        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = settings.Issuer,
            Audience = settings.Audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + settings.AccessTokenLifetime).UtcDateTime,
            SigningCredentials = new SigningCredentials(settings.SecurityKey, JwtSettings.Algorithm),
        });
    }
}
