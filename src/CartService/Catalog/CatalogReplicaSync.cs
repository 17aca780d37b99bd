using Marten;

namespace Shop.CartService.Catalog;

/// <summary>
/// Reconciles the replica with InventoryService at start-up and then periodically. Events keep it fresh; this closes
/// the gaps events cannot (products created before this service first bound its queue, a lost event).
/// </summary>
public sealed class CatalogReplicaSync(IServiceScopeFactory scopes, IConfiguration configuration, ILogger<CatalogReplicaSync> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(configuration.GetValue("Cart:CatalogSyncSeconds", 300));
        var retry = TimeSpan.FromSeconds(2);
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                var (seen, changed) = await SyncOnce(stoppingToken);
                // An empty or still changing catalog right after start usually means InventoryService is still seeding (and
                // some of its ProductCreated events may have gone out before this service bound its queue): look again soon.
                wait = seen == 0 || changed > 0 ? retry : interval;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                logger.LogInformation("Catalog reconciliation postponed: {Message}", exception.Message);
                wait = retry;
            }
            try { await Task.Delay(wait, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    public async Task<(int Seen, int Changed)> SyncOnce(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var inventory = scope.ServiceProvider.GetRequiredService<InventoryCatalogClient>();
        var store = scope.ServiceProvider.GetRequiredService<IDocumentStore>();

        var changed = 0;
        var seen = 0;
        await foreach (var product in inventory.ActiveProducts(cancellationToken))
        {
            seen++;
            await using var session = store.LightweightSession();
            var existing = await session.LoadAsync<CatalogProduct>(product.Id, cancellationToken);
            if (existing is not null && existing.ChangedAt >= product.ChangedAt)
                continue;
            session.Store(product);
            await session.SaveChangesAsync(cancellationToken);
            changed++;
        }
        if (changed > 0)
            logger.LogInformation("Catalog replica reconciled: {Changed} of {Seen} products updated", changed, seen);
        return (seen, changed);
    }
}
