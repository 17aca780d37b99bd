using Marten;
using Microsoft.AspNetCore.Identity;
using Shop.BuildingBlocks.Security;
using Shop.Gateway.Identity.Emails;
using Shop.Gateway.Identity.Passwords;
using Shop.Gateway.Identity.Registering;
using Shop.Gateway.Identity.Tokens;
using Shop.Gateway.Identity.Verifying;

namespace Shop.Gateway.Identity.Bootstrapping;

/// <summary>
/// Creates the admin named by Admin:Email / Admin:Password, as `./shop run` configures it. Whoever configures the gateway
/// owns that address, so the account it creates is verified. It never promotes an account whose address nobody proved:
/// <list type="bullet">
/// <item>no account with that address: a verified admin account with the configured password;</item>
/// <item>a verified account (or an admin from before verification existed): made admin if it is not; its password stays;</item>
/// <item>an unverified sign-up with that address — anyone can register any address — is not the operator's: it is removed
/// with its sessions and pending links, and the admin account is created afresh with the configured password.</item>
/// </list>
/// </summary>
public sealed class AdminBootstrapper(IServiceScopeFactory scopes, IConfiguration configuration, TimeProvider clock, ILogger<AdminBootstrapper> logger)
    : IHostedService
{
    public const string AdminName = "Administrator";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var configuredEmail = configuration["Admin:Email"];
        var password = configuration["Admin:Password"];
        if (string.IsNullOrWhiteSpace(configuredEmail) || string.IsNullOrWhiteSpace(password))
            return;
        if (!EmailAddress.TryParse(configuredEmail, out var email, out var problem))
            throw new InvalidOperationException($"Admin:Email '{configuredEmail}' is not a usable email address: {problem}");
        if (PasswordPolicy.Problem(password, email.Display, AdminName) is { } weak)
            logger.LogWarning("Admin:Password does not meet the password policy ({Problem}); the admin account uses it anyway", weak);

        await using var scope = scopes.CreateAsyncScope();
        var session = scope.ServiceProvider.GetRequiredService<IDocumentSession>();
        var hasher = scope.ServiceProvider.GetRequiredService<IPasswordHasher<User>>();
        var now = clock.GetUtcNow();
        var existing = await session.Query<User>().FirstOrDefaultAsync(u => u.NormalizedEmail == email.Normalized, cancellationToken);
        if (existing is { IsVerified: false } squatter && !squatter.Roles.Contains(ShopRoles.Admin))
        {
            session.Delete(squatter);
            session.DeleteWhere<RefreshToken>(t => t.UserId == squatter.Id);
            session.DeleteWhere<EmailVerification>(v => v.UserId == squatter.Id);
            await session.SaveChangesAsync(cancellationToken);
            logger.LogWarning("The admin address {Email} had an unverified sign-up ({UserId}); it was removed, not promoted", email.Display, squatter.Id);
            existing = null;
        }

        if (existing is null)
        {
            if (await Accounts.CreateVerified(session, hasher, email, AdminName, password, [ShopRoles.Admin, ShopRoles.Customer], now, cancellationToken) is { } admin)
                logger.LogInformation("Created the admin account {Email} ({UserId})", email.Display, admin.Id);
            return;
        }

        var changed = false;
        if (!existing.IsVerified)
        {
            // An admin from before addresses were verified: it was made admin by an admin or by this configuration.
            existing.EmailVerifiedAt = now;
            changed = true;
        }
        if (!existing.Roles.Contains(ShopRoles.Admin))
        {
            existing.Roles.Add(ShopRoles.Admin);
            changed = true;
            logger.LogInformation("Promoted the verified account {Email} to admin", email.Display);
        }
        if (changed)
        {
            session.Update(existing);
            await session.SaveChangesAsync(cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
