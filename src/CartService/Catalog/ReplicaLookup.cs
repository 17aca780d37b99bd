using Marten;

namespace Shop.CartService.Catalog;

public static class ReplicaLookup
{
    /// <summary>
    /// The product from the replica; on a miss, from InventoryService (and remembered in the session). Null when the
    /// product does not exist, or is missing here while InventoryService cannot be reached.
    /// </summary>
    public static async Task<CatalogProduct?> Find(IDocumentSession session, InventoryCatalogClient inventory, Guid productId,
        CancellationToken cancellationToken)
    {
        var product = await session.LoadAsync<CatalogProduct>(productId, cancellationToken);
        if (product is not null)
            return product;
        try
        {
            product = await inventory.GetProduct(productId, cancellationToken);
        }
        catch (HttpRequestException)
        {
            return null;
        }
        if (product is not null)
            session.Store(product);
        return product;
    }
}
