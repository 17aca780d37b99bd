using Marten;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Shop.InventoryService.Catalog.Caching;
using Shop.InventoryService.Catalog.CreatingProduct;

namespace Shop.InventoryService.Catalog.Seeding;

/// <summary>
/// For `./shop run` (Inventory:SeedDemoCatalog=true): fills an empty catalog with demo products through the normal create
/// path, so the carts' price replicas receive them as ProductCreated events like any admin-made product.
/// </summary>
public sealed class DemoCatalogSeeder(IServiceScopeFactory scopes, ILogger<DemoCatalogSeeder> logger) : BackgroundService
{
    static readonly CreateProductRequest[] Products =
    [
        new("BOOK-DDD", "Domain-Driven Design", "Eric Evans' classic on tackling complexity in the heart of software. Hardcover.", 54.90m, "EUR", "Books", null, 40),
        new("BOOK-EIP", "Enterprise Integration Patterns", "Messaging patterns for connecting systems, by Hohpe and Woolf.", 59.00m, "EUR", "Books", null, 25),
        new("BOOK-DDIA", "Designing Data-Intensive Applications", "Reliable, scalable and maintainable systems, by Martin Kleppmann.", 44.50m, "EUR", "Books", null, 60),
        new("MUG-LAMBDA", "Lambda Mug", "Ceramic mug with a lambda print. Dishwasher safe, 350 ml.", 12.00m, "EUR", "Kitchen", null, 100),
        new("MUG-SAGA", "Saga Mug", "Holds coffee through every compensation step. 400 ml.", 13.50m, "EUR", "Kitchen", null, 80),
        new("KB-MECH-87", "Mechanical Keyboard TKL", "Tenkeyless keyboard with hot-swappable brown switches.", 129.00m, "EUR", "Electronics", null, 15),
        new("MOUSE-ERGO", "Ergonomic Mouse", "Vertical wireless mouse that is kind to your wrist.", 49.90m, "EUR", "Electronics", null, 30),
        new("HEADSET-NC", "Noise-Cancelling Headset", "Over-ear headset with active noise cancelling and a boom mic.", 189.00m, "EUR", "Electronics", null, 10),
        new("TSHIRT-QUEUE", "Queue T-Shirt", "Organic cotton tee: 'First in, first out'. Unisex.", 24.00m, "EUR", "Apparel", null, 50),
        new("HOODIE-EVENT", "Event Sourcing Hoodie", "Warm hoodie; state is just a left fold over events.", 49.00m, "EUR", "Apparel", null, 20),
        new("CAP-RETRY", "Retry Cap", "Baseball cap. Try, try again.", 19.00m, "EUR", "Apparel", null, 35),
        new("STICKERS-DEV", "Developer Sticker Pack", "Twenty vinyl stickers for laptops that ship.", 6.50m, "EUR", "Accessories", null, 200),
        new("NOTEBOOK-DOT", "Dotted Notebook A5", "Dotted pages for architecture sketches. 160 pages.", 14.00m, "EUR", "Accessories", null, 70),
        new("LAMP-DESK", "LED Desk Lamp", "Dimmable desk lamp with warm and cool light.", 39.00m, "EUR", "Home", null, 3),
    ];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var session = scope.ServiceProvider.GetRequiredService<IDocumentSession>();
        if (await session.Query<Product>().AnyAsync(stoppingToken))
            return;

        var created = 0;
        foreach (var request in Products)
        {
            // A fresh scope per product: each creation is its own transaction with its own outbox rows.
            await using var productScope = scopes.CreateAsyncScope();
            var product = await CreateProductHandler.Create(request,
                productScope.ServiceProvider.GetRequiredService<IDocumentSession>(),
                productScope.ServiceProvider.GetRequiredService<IPublishEndpoint>(), stoppingToken);
            if (product is not null)
            {
                created++;
                await scope.ServiceProvider.GetRequiredService<CatalogCacheInvalidation>().ProductChangedAsync(product.Id);
            }
        }
        logger.LogInformation("Seeded the demo catalog with {Count} products", created);
    }
}
