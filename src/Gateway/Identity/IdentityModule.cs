using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Shop.BuildingBlocks.Email;
using Shop.BuildingBlocks.Http;
using Shop.BuildingBlocks.Security;
using Shop.Gateway.Identity.Bootstrapping;
using Shop.Gateway.Identity.External;
using Shop.Gateway.Identity.FindingUsers;
using Shop.Gateway.Identity.Lockout;
using Shop.Gateway.Identity.LoggingIn;
using Shop.Gateway.Identity.Mail;
using Shop.Gateway.Identity.Promoting;
using Shop.Gateway.Identity.Refreshing;
using Shop.Gateway.Identity.Registering;
using Shop.Gateway.Identity.Tokens;
using Shop.Gateway.Identity.Verifying;
using Shop.Gateway.Perimeter;

namespace Shop.Gateway.Identity;

public static class IdentityModule
{
    public const string Schema = "identity";

    public static void ConfigureDocuments(Marten.StoreOptions options)
    {
        options.Schema.For<User>().UniqueIndex(u => u.NormalizedEmail!).UseOptimisticConcurrency(true);
        options.Schema.For<RefreshToken>().Index(t => t.FamilyId).Index(t => t.UserId).UseOptimisticConcurrency(true);
        options.Schema.For<EmailVerification>().Index(v => v.UserId);
        options.Schema.For<OutgoingEmail>().Index(e => e.DueAt).UseOptimisticConcurrency(true);
        options.Schema.For<RevokedAccessToken>().Index(t => t.RevokedAt).Index(t => t.ExpiresAt);
        options.Schema.For<AttemptCounter>().UseOptimisticConcurrency(true);
        options.Schema.For<ExternalLogin>();
    }

    public static WebApplicationBuilder AddIdentity(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IPasswordHasher<User>, PasswordHasher<User>>();
        builder.Services.AddSingleton<TokenIssuer>();
        builder.Services.Configure<LockoutSettings>(builder.Configuration.GetSection("Lockout"));
        builder.Services.AddSingleton<AttemptLimiter>();
        builder.Services.AddHostedService<AttemptCounterCleanup>();
        builder.Services.AddHostedService<AdminBootstrapper>();
        builder.Services.Configure<IdentityMailOptions>(builder.Configuration.GetSection(IdentityMailOptions.Section));
        // No Smtp:Host: no SMTP connections, and IdentityMailSender writes .eml files.
        var smtp = SmtpOptions.From(builder.Configuration);
        if (smtp.IsConfigured)
        {
            builder.Services.AddSingleton(Options.Create(smtp));
            builder.Services.AddSingleton<SmtpConnections>();
        }
        builder.Services.AddSingleton<IdentityMailSignal>();
        builder.Services.AddSingleton<IdentityMailSender>();
        builder.Services.AddHostedService<IdentityMailer>();
        builder.Services.AddSingleton<AccessTokenDenyList>();
        builder.Services.AddHostedService<AccessTokenDenyListSync>();
        builder.Services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, AccessTokenRevocation.Enforce);
        builder.AddExternalAuthentication();
        return builder;
    }

    public static WebApplication MapIdentity(this WebApplication app)
    {
        var auth = app.MapGroup("/api/auth").WithTags("Identity");
        auth.MapPost("/register", RegisterEndpoint.Handle).AllowAnonymous().RequireRateLimiting(RateLimits.Register);
        auth.MapPost("/login", LoginEndpoint.Handle).AllowAnonymous().RequireRateLimiting(RateLimits.Login);
        auth.MapPost("/verify-email", VerifyEmailEndpoint.Handle).AllowAnonymous().RequireRateLimiting(RateLimits.Login);
        auth.MapPost("/refresh", RefreshEndpoint.Refresh).AllowAnonymous();
        auth.MapPost("/logout", RefreshEndpoint.Logout).RequireAuthorization();
        auth.MapGet("/me", Me).RequireAuthorization();

        var users = app.MapGroup("/api/users").WithTags("Users").RequireAuthorization(ShopPolicies.Admin);
        users.MapGet("/", FindUserEndpoint.Handle);
        users.MapPost("/{id:guid}/promote", PromoteUserEndpoint.Handle);
        users.MapPost("/{id:guid}/verify", AdminVerifyEndpoint.Handle);
        return app;
    }

    static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> Me(ClaimsPrincipal principal, IQuerySession session, CancellationToken cancellationToken)
    {
        var user = await session.LoadAsync<User>(principal.GetUserId(), cancellationToken);
        return user is null ? Problems.NotFound("The account") : TypedResults.Ok(UserResponse.From(user));
    }
}
