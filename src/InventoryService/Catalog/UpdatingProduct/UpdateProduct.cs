using System.ComponentModel.DataAnnotations;
using Marten;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Shop.BuildingBlocks.Http;
using Shop.Contracts.Catalog;
using Shop.InventoryService.Catalog.Caching;
using Shop.InventoryService.Stock;

namespace Shop.InventoryService.Catalog.UpdatingProduct;

public record UpdateProductRequest(
    [Required, StringLength(200, MinimumLength = 1)] string Name,
    [StringLength(4000)] string? Description,
    [Range(typeof(decimal), "0.01", "1000000")] decimal Price,
    [Required, StringLength(100, MinimumLength = 1)] string Category,
    [Url, StringLength(2000)] string? ImageUrl,
    bool? Active = null);

public static class UpdateProductEndpoint
{
    /// <summary>
    /// Edits a product and publishes what changed (details, price, deactivation) for the carts' price replicas. Active is
    /// optional: left out, the product keeps its state (a form that does not show it never reactivates a product).
    /// </summary>
    public static async Task<Results<Ok<ProductResponse>, ProblemHttpResult>> Handle(
        Guid id, UpdateProductRequest request, IDocumentSession session, IPublishEndpoint publish, CatalogCacheInvalidation cache,
        CancellationToken cancellationToken)
    {
        var product = await session.LoadAsync<Product>(id, cancellationToken);
        if (product is null)
            return Problems.NotFound("The product");

        var now = DateTimeOffset.UtcNow;
        var name = request.Name.Trim();
        var description = request.Description?.Trim() ?? "";
        var category = request.Category.Trim();
        if (name != product.Name || description != product.Description || category != product.Category || request.ImageUrl != product.ImageUrl)
            await publish.Publish(new ProductUpdated(id, name, description, category, request.ImageUrl, now), cancellationToken);
        if (request.Price != product.Price)
            await publish.Publish(new ProductPriceChanged(id, product.Price, request.Price, product.Currency, now), cancellationToken);
        var active = request.Active ?? product.Active;
        if (active != product.Active)
            await (active
                ? publish.Publish(new ProductReactivated(id, now), cancellationToken)
                : publish.Publish(new ProductDeactivated(id, now), cancellationToken));

        product.Name = name;
        product.Description = description;
        product.Category = category;
        product.ImageUrl = request.ImageUrl;
        product.Price = request.Price;
        product.Active = active;
        product.UpdatedAt = now;
        session.Update(product);
        await session.SaveChangesAsync(cancellationToken);
        await cache.ProductChangedAsync(id);

        var stock = await session.LoadAsync<StockItem>(id, cancellationToken);
        return TypedResults.Ok(ProductResponse.From(product, stock?.Available ?? 0));
    }
}
