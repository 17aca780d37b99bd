using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Shop.BuildingBlocks.Http;
using Shop.BuildingBlocks.Persistence;
using Shop.InventoryService.Catalog.Caching;
using Shop.InventoryService.Stock.ViewingStock;

namespace Shop.InventoryService.Stock;

/// <summary>An admin's change of the units in the warehouse (receiving goods, correcting a count).</summary>
public static class OnHandChange
{
    public const int MaxOnHand = 1_000_000_000;
    const int Attempts = 5;

    /// <summary>
    /// Moves on-hand by <paramref name="delta"/> and records the movement. Refused (409) if it would leave fewer units
    /// than are reserved, i.e. make available negative. A reservation committing at the same moment makes the save
    /// conflict (optimistic concurrency); the change is then re-checked against fresh numbers and retried.
    /// </summary>
    public static async Task<Results<Ok<StockResponse>, ProblemHttpResult>> Apply(
        IDocumentStore store, CatalogCacheInvalidation cache, Guid productId, int delta, MovementKind kind, string? reason,
        CancellationToken cancellationToken)
    {
        return await OptimisticRetry.RunAsync<Results<Ok<StockResponse>, ProblemHttpResult>>(async _ =>
        {
            await using var session = store.LightweightSession();
            var item = await session.LoadAsync<StockItem>(productId, cancellationToken);
            if (item is null)
                return Problems.NotFound("The product");
            if ((long)item.OnHand + delta > MaxOnHand)
                return Problems.Unprocessable($"On hand would exceed {MaxOnHand:N0} units.");
            if (item.Available + delta < 0)
                return Problems.Conflict(
                    $"Only {item.Available} units are available ({item.OnHand} on hand, {item.Reserved} reserved for orders in checkout); " +
                    $"on hand cannot drop by {-delta}.");

            item.Apply(kind, delta);
            session.Update(item);
            session.Insert(StockMovement.For(productId, kind, delta, null, reason));
            await session.SaveChangesAsync(cancellationToken);
            // An admin who just received goods sees them in the catalog at once (on this instance; see CatalogCache).
            await cache.ProductChangedAsync(productId);
            return TypedResults.Ok(await ViewStockEndpoint.Load(session, item, cancellationToken));
        }, cancellationToken, Attempts);
    }
}
