using Marten;
using Microsoft.AspNetCore.Identity;
using Shop.BuildingBlocks.Security;
using Shop.Gateway.Identity.Registering;

namespace Shop.Gateway.Identity.Bootstrapping;

/// <summary>Creates (or promotes) the admin named by Admin:Email / Admin:Password, as `./shop run` configures it.</summary>
public sealed class AdminBootstrapper(IServiceScopeFactory scopes, IConfiguration configuration, ILogger<AdminBootstrapper> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var email = configuration["Admin:Email"];
        var password = configuration["Admin:Password"];
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrWhiteSpace(password))
            return;

        await using var scope = scopes.CreateAsyncScope();
        var session = scope.ServiceProvider.GetRequiredService<IDocumentSession>();
        var normalized = User.Normalize(email);
        var existing = await session.Query<User>().FirstOrDefaultAsync(u => u.NormalizedEmail == normalized, cancellationToken);
        if (existing is null)
        {
            await Accounts.Create(session, scope.ServiceProvider.GetRequiredService<IPasswordHasher<User>>(), email, "Administrator", password,
                [ShopRoles.Admin, ShopRoles.Customer], cancellationToken);
            logger.LogInformation("Created the admin account {Email}", email);
        }
        else if (!existing.Roles.Contains(ShopRoles.Admin))
        {
            existing.Roles.Add(ShopRoles.Admin);
            session.Update(existing);
            await session.SaveChangesAsync(cancellationToken);
            logger.LogInformation("Promoted {Email} to admin", email);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
