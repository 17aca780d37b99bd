using Marten;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Shop.BuildingBlocks.Http;
using Shop.Contracts.Catalog;
using Shop.InventoryService.Catalog.Caching;
using Shop.InventoryService.Stock;

namespace Shop.InventoryService.Catalog.DeactivatingProduct;

/// <summary>
/// Takes a product off the public catalog (or puts it back) without deleting it: orders and carts keep referring to it,
/// its stock stays, and new reservations for it are refused while it is inactive. Repeating either call changes nothing
/// and publishes nothing.
/// </summary>
public static class DeactivateProductEndpoint
{
    public static Task<Results<Ok<ProductResponse>, ProblemHttpResult>> Deactivate(
        Guid id, IDocumentSession session, IPublishEndpoint publish, CatalogCacheInvalidation cache,
        CancellationToken cancellationToken) =>
        SetActive(id, false, session, publish, cache, cancellationToken);

    public static Task<Results<Ok<ProductResponse>, ProblemHttpResult>> Reactivate(
        Guid id, IDocumentSession session, IPublishEndpoint publish, CatalogCacheInvalidation cache,
        CancellationToken cancellationToken) =>
        SetActive(id, true, session, publish, cache, cancellationToken);

    static async Task<Results<Ok<ProductResponse>, ProblemHttpResult>> SetActive(
        Guid id, bool active, IDocumentSession session, IPublishEndpoint publish, CatalogCacheInvalidation cache,
        CancellationToken cancellationToken)
    {
        var product = await session.LoadAsync<Product>(id, cancellationToken);
        if (product is null)
            return Problems.NotFound("The product");

        if (product.Active != active)
        {
            var now = DateTimeOffset.UtcNow;
            product.Active = active;
            product.UpdatedAt = now;
            session.Update(product);
            await (active
                ? publish.Publish(new ProductReactivated(id, now), cancellationToken)
                : publish.Publish(new ProductDeactivated(id, now), cancellationToken));
            await session.SaveChangesAsync(cancellationToken);
            await cache.ProductChangedAsync(id);
        }

        var stock = await session.LoadAsync<StockItem>(id, cancellationToken);
        return TypedResults.Ok(ProductResponse.From(product, stock?.Available ?? 0));
    }
}
