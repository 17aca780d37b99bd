using System.ComponentModel.DataAnnotations;
using Marten;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Shop.BuildingBlocks.Http;
using Shop.Contracts.Catalog;
using Shop.InventoryService.Catalog.Caching;
using Shop.InventoryService.Stock;

namespace Shop.InventoryService.Catalog.CreatingProduct;

public record CreateProductRequest(
    [Required, StringLength(64, MinimumLength = 1), RegularExpression("^[A-Za-z0-9._-]+$")] string Sku,
    [Required, StringLength(200, MinimumLength = 1)] string Name,
    [StringLength(4000)] string? Description,
    [Range(typeof(decimal), "0.01", "1000000")] decimal Price,
    [Required, RegularExpression("^[A-Z]{3}$")] string Currency,
    [Required, StringLength(100, MinimumLength = 1)] string Category,
    [Url, StringLength(2000)] string? ImageUrl,
    [Range(0, 1_000_000)] int Stock);

public static class CreateProductEndpoint
{
    public static async Task<Results<Created<ProductResponse>, ProblemHttpResult>> Handle(
        CreateProductRequest request, IDocumentSession session, IPublishEndpoint publish, CatalogCacheInvalidation cache,
        CancellationToken cancellationToken)
    {
        var product = await CreateProductHandler.Create(request, session, publish, cancellationToken);
        if (product is null)
            return Problems.Conflict($"A product with SKU '{request.Sku}' already exists.");
        await cache.ProductChangedAsync(product.Id);
        return TypedResults.Created($"/api/products/{product.Id}", ProductResponse.From(product, request.Stock));
    }
}

public static class CreateProductHandler
{
    /// <summary>Creates the product, its stock and the ProductCreated event in one transaction; null if the SKU is taken.</summary>
    public static async Task<Product?> Create(CreateProductRequest request, IDocumentSession session, IPublishEndpoint publish,
        CancellationToken cancellationToken)
    {
        var sku = request.Sku.Trim().ToUpperInvariant();
        if (await session.Query<Product>().AnyAsync(p => p.Sku == sku, cancellationToken))
            return null;

        var now = DateTimeOffset.UtcNow;
        var product = new Product
        {
            Id = Guid.CreateVersion7(),
            Sku = sku,
            Name = request.Name.Trim(),
            Description = request.Description?.Trim() ?? "",
            Price = request.Price,
            Currency = request.Currency,
            Category = request.Category.Trim(),
            ImageUrl = request.ImageUrl,
            Active = true,
            CreatedAt = now,
            UpdatedAt = now,
        };
        session.Insert(product);
        session.Insert(new StockItem { Id = product.Id, OnHand = request.Stock });
        if (request.Stock > 0)
            session.Insert(StockMovement.For(product.Id, MovementKind.Received, request.Stock, null));
        await publish.Publish(new ProductCreated(product.Id, product.Sku, product.Name, product.Description, product.Price,
            product.Currency, product.Category, product.ImageUrl, now), cancellationToken);
        try
        {
            await session.SaveChangesAsync(cancellationToken);
        }
        catch (Exception exception) when (IsDuplicateSku(exception))
        {
            // A concurrent request created the same SKU between the check above and this commit.
            return null;
        }
        return product;
    }

    static bool IsDuplicateSku(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } postgres
                && postgres.ConstraintName?.Contains("sku", StringComparison.OrdinalIgnoreCase) == true)
                return true;
        }
        return false;
    }
}
