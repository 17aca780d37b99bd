using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Shop.BuildingBlocks.Persistence;
using Shop.BuildingBlocks.Security;

namespace Shop.Gateway.Identity.External;

/// <summary>The external OIDC provider (configuration section "Oidc"); off unless Oidc:Authority is set.</summary>
public sealed class ExternalProviderSettings
{
    public string? Authority { get; set; }
    public string? Audience { get; set; }
    public bool RequireHttpsMetadata { get; set; } = true;
    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);
}

/// <summary>
/// Optionally accepts access tokens of an external OIDC provider alongside the gateway's own. The gateway's own tokens
/// keep their unchanged scheme (HS256, issuer, audience, lifetime): a token whose issuer is the gateway's never reaches
/// the external scheme, and the external scheme takes only asymmetric signatures from the provider's published keys,
/// so neither scheme can be satisfied with the other's material. The external subject is linked to a Shop account, and
/// requests proxied to the services carry a gateway token of that account: the services keep trusting the gateway alone.
/// </summary>
public static class ExternalAuthentication
{
    public const string Scheme = "oidc";
    const string SelectorScheme = "gateway-or-oidc";

    static readonly string[] AsymmetricAlgorithms =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
    ];

    public static WebApplicationBuilder AddExternalAuthentication(this WebApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection("Oidc").Get<ExternalProviderSettings>() ?? new ExternalProviderSettings();
        if (!settings.Enabled)
            return builder;
        if (string.IsNullOrWhiteSpace(settings.Audience))
            throw new InvalidOperationException("Oidc:Audience must be set when Oidc:Authority is (the audience the provider issues Shop's tokens for).");
        var gatewayIssuer = JwtSettings.From(builder.Configuration).Issuer;
        if (string.Equals(settings.Authority!.TrimEnd('/'), gatewayIssuer.TrimEnd('/'), StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException("Oidc:Authority must not be the gateway's own issuer (Jwt:Issuer).");

        builder.Services.AddAuthentication()
            .AddJwtBearer(Scheme, options =>
            {
                options.Authority = settings.Authority;
                options.Audience = settings.Audience;
                options.RequireHttpsMetadata = settings.RequireHttpsMetadata;
                options.MapInboundClaims = false;
                options.IncludeErrorDetails = false;
                // The issuer and signing keys come from the provider's discovery document.
                options.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidAudience = settings.Audience,
                    ValidAlgorithms = AsymmetricAlgorithms,
                    ValidateIssuer = true,
                    ValidateAudience = true,
                    ValidateLifetime = true,
                    ValidateIssuerSigningKey = true,
                    RequireExpirationTime = true,
                    RequireSignedTokens = true,
                    ClockSkew = TimeSpan.FromSeconds(30),
                };
                options.Events = new JwtBearerEvents
                {
                    OnTokenValidated = SignInLinkedAccount,
                    // The handler rethrows what is not a token problem (the provider unreachable, say): that is still only
                    // a token the gateway cannot accept, a 401, not a 500.
                    OnAuthenticationFailed = context =>
                    {
                        context.Fail(context.Exception);
                        return Task.CompletedTask;
                    },
                };
            })
            .AddPolicyScheme(SelectorScheme, "Gateway or external OIDC tokens",
                options => options.ForwardDefaultSelector = context => IsForeignToken(context, gatewayIssuer) ? Scheme : JwtBearerDefaults.AuthenticationScheme);
        builder.Services.Configure<AuthenticationOptions>(options =>
        {
            options.DefaultScheme = SelectorScheme;
            options.DefaultAuthenticateScheme = SelectorScheme;
            options.DefaultChallengeScheme = SelectorScheme;
        });
        return builder;
    }

    /// <summary>Whether a bearer token names an issuer other than the gateway. Only routes the token: each scheme validates fully.</summary>
    static bool IsForeignToken(HttpContext context, string gatewayIssuer)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return false;
        var handler = new JsonWebTokenHandler();
        var token = header["Bearer ".Length..].Trim();
        try
        {
            return handler.CanReadToken(token) && handler.ReadJsonWebToken(token).Issuer is { Length: > 0 } issuer && issuer != gatewayIssuer;
        }
        catch (Exception exception) when (exception is ArgumentException or SecurityTokenException)
        {
            return false;
        }
    }

    static async Task SignInLinkedAccount(TokenValidatedContext context)
    {
        if (context.SecurityToken is not JsonWebToken token || string.IsNullOrEmpty(token.Subject))
        {
            context.Fail("The external token names no subject.");
            return;
        }
        // Belt and braces: a provider that published the gateway's issuer name would otherwise be taken for the gateway.
        if (token.Issuer == context.HttpContext.RequestServices.GetRequiredService<JwtSettings>().Issuer)
        {
            context.Fail("The external provider claims the gateway's issuer.");
            return;
        }
        var email = context.Principal?.FindFirstValue("email") ?? "";
        var name = context.Principal?.FindFirstValue("name") ?? context.Principal?.FindFirstValue("preferred_username") ?? email;
        var store = context.HttpContext.RequestServices.GetRequiredService<IDocumentStore>();
        var user = await FindOrCreateAccount(store, ExternalLogin.KeyOf(token.Issuer, token.Subject), email, name, context.HttpContext.RequestAborted);
        if (user is null)
        {
            context.Fail("The linked account no longer exists.");
            return;
        }
        Claim[] claims =
        [
            new(ShopClaims.Subject, user.Id.ToString()),
            new(ShopClaims.Email, user.Email),
            new(ShopClaims.Name, user.Name),
            // The provider authenticated the subject; the linked account has no Shop-verified address to prove.
            new(ShopClaims.EmailVerified, "true"),
            .. user.Roles.Select(role => new Claim(ShopClaims.Role, role)),
        ];
        context.Principal = new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme, ShopClaims.Name, ShopClaims.Role));
    }

    /// <summary>The account linked to the external subject; a new customer account on its first visit.</summary>
    static async Task<User?> FindOrCreateAccount(IDocumentStore store, string loginKey, string email, string name, CancellationToken cancellationToken)
    {
        // Two first requests of one subject at once: the loser's insert conflicts, and its next attempt loads the link.
        return await OptimisticRetry.RunAsync(async _ =>
        {
            await using var session = store.LightweightSession();
            if (await session.LoadAsync<ExternalLogin>(loginKey, cancellationToken) is { } link)
                return await session.LoadAsync<User>(link.UserId, cancellationToken);

            var now = DateTimeOffset.UtcNow;
            var user = new User
            {
                Id = Guid.CreateVersion7(), Email = email.Trim(), NormalizedEmail = null, Name = string.IsNullOrWhiteSpace(name) ? "Customer" : name.Trim(),
                Roles = [ShopRoles.Customer], CreatedAt = now, EmailVerifiedAt = now,
            };
            session.Insert(user);
            session.Insert(new ExternalLogin { Id = loginKey, UserId = user.Id, CreatedAt = now });
            await session.SaveChangesAsync(cancellationToken);
            return user;
        }, cancellationToken, maxAttempts: 5);
    }
}
