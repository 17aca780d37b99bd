using Marten;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Shop.BuildingBlocks.Persistence;

/// <summary>
/// Applies the service's schema before it takes traffic. Retries, because two instances of a service starting together
/// can collide on the same CREATE statements (seen with Marten 9: a duplicate-key error on the first try).
/// </summary>
public sealed class SchemaMigrator(IDocumentStore store, ILogger<SchemaMigrator> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
                return;
            }
            catch (Exception exception) when (attempt < 10 && !cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning(exception, "Applying the database schema failed (attempt {Attempt}); retrying", attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
