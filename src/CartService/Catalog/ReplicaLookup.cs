using Marten;

namespace Shop.CartService.Catalog;

/// <param name="Product">The product; null when it does not exist (or is unknown here while InventoryService is unreachable).</param>
/// <param name="FetchedFromInventory">Read through to InventoryService: the caller stores it in the replica with its change.</param>
/// <param name="CatalogUnavailable">Missing from the replica and InventoryService could not be asked.</param>
public sealed record ProductLookup(CatalogProduct? Product, bool FetchedFromInventory, bool CatalogUnavailable);

public static class ReplicaLookup
{
    /// <summary>The product from the replica; on a miss, from InventoryService.</summary>
    public static async Task<ProductLookup> Find(IQuerySession session, InventoryCatalogClient inventory, Guid productId,
        CancellationToken cancellationToken)
    {
        var product = await session.LoadAsync<CatalogProduct>(productId, cancellationToken);
        if (product is not null)
            return new ProductLookup(product, false, false);
        try
        {
            product = await inventory.GetProduct(productId, cancellationToken);
            return new ProductLookup(product, product is not null, false);
        }
        catch (Exception exception) when (exception is HttpRequestException or System.Text.Json.JsonException
                                              || (exception is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new ProductLookup(null, false, true);
        }
    }
}
