using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

namespace Shop.BuildingBlocks.Security;

/// <summary>Settings of the gateway-issued access tokens; every service validates them (defence in depth).</summary>
public sealed record JwtSettings(string Issuer, string Audience, string SigningKey, TimeSpan AccessTokenLifetime)
{
    public const string Algorithm = SecurityAlgorithms.HmacSha256;

    public static JwtSettings From(IConfiguration configuration)
    {
        var section = configuration.GetSection("Jwt");
        var key = section["SigningKey"];
        if (string.IsNullOrWhiteSpace(key) || Encoding.UTF8.GetByteCount(key) < 32)
            throw new InvalidOperationException("Jwt:SigningKey must be configured with at least 32 bytes (env Jwt__SigningKey).");
        return new JwtSettings(
            section["Issuer"] ?? "shop-gateway",
            section["Audience"] ?? "shop",
            key,
            TimeSpan.FromMinutes(section.GetValue("AccessTokenMinutes", 15)));
    }

    public SymmetricSecurityKey SecurityKey => new(Encoding.UTF8.GetBytes(SigningKey));

    public TokenValidationParameters ValidationParameters => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        IssuerSigningKey = SecurityKey,
        ValidAlgorithms = [Algorithm],
        ValidateIssuer = true,
        ValidateAudience = true,
        ValidateLifetime = true,
        ValidateIssuerSigningKey = true,
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        ClockSkew = TimeSpan.FromSeconds(30),
        NameClaimType = ShopClaims.Name,
        RoleClaimType = ShopClaims.Role,
    };
}

public static class ShopClaims
{
    public const string Subject = "sub";
    public const string Email = "email";
    public const string Name = "name";
    public const string Role = "role";
    /// <summary>"true" when the account's email address is verified (OIDC's claim name); checkout requires it.</summary>
    public const string EmailVerified = "email_verified";
}

public static class ShopRoles
{
    public const string Customer = "customer";
    public const string Admin = "admin";
}

public static class ShopPolicies
{
    public const string Admin = "admin";
}

public static class JwtSetup
{
    public static WebApplicationBuilder AddShopAuthentication(this WebApplicationBuilder builder)
    {
        var settings = JwtSettings.From(builder.Configuration);
        builder.Services.AddSingleton(settings);
        builder.Services
            .AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(options =>
            {
                options.MapInboundClaims = false;
                options.TokenValidationParameters = settings.ValidationParameters;
                // WWW-Authenticate says only "Bearer": why a token was refused (unknown key, wrong issuer) helps nobody but a forger.
                options.IncludeErrorDetails = false;
            });
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(ShopPolicies.Admin, policy => policy.RequireAuthenticatedUser().RequireRole(ShopRoles.Admin));
        return builder;
    }
}

public static class ClaimsPrincipalExtensions
{
    /// <summary>The authenticated user's id (the token subject). Services never take a user id from the client.</summary>
    public static Guid GetUserId(this ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(ShopClaims.Subject), out var id)
            ? id
            : throw new InvalidOperationException("The authenticated principal has no user id subject.");

    public static string GetEmail(this ClaimsPrincipal user) => user.FindFirstValue(ShopClaims.Email) ?? "";

    public static string GetDisplayName(this ClaimsPrincipal user) => user.FindFirstValue(ShopClaims.Name) ?? user.GetEmail();

    public static bool IsAdmin(this ClaimsPrincipal user) => user.IsInRole(ShopRoles.Admin);

    public static bool HasVerifiedEmail(this ClaimsPrincipal user) => user.FindFirstValue(ShopClaims.EmailVerified) == "true";
}
