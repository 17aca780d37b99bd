using Marten;
using MassTransit;
using Shop.BuildingBlocks;
using Shop.BuildingBlocks.Operations;
using Shop.BuildingBlocks.Security;
using Shop.InventoryService.Catalog;
using Shop.InventoryService.Catalog.BrowsingProducts;
using Shop.InventoryService.Catalog.Caching;
using Shop.InventoryService.Catalog.CreatingProduct;
using Shop.InventoryService.Catalog.DeactivatingProduct;
using Shop.InventoryService.Catalog.Seeding;
using Shop.InventoryService.Catalog.UpdatingProduct;
using Shop.InventoryService.Stock;
using Shop.InventoryService.Stock.AddingStock;
using Shop.InventoryService.Stock.AdjustingStock;
using Shop.InventoryService.Stock.Committing;
using Shop.InventoryService.Stock.Expiring;
using Shop.InventoryService.Stock.History;
using Shop.InventoryService.Stock.Releasing;
using Shop.InventoryService.Stock.Reserving;
using Shop.InventoryService.Stock.Restocking;
using Shop.InventoryService.Stock.ViewingStock;

namespace Shop.InventoryService;

public static class InventoryModule
{
    public const string Schema = ServiceNames.Inventory;

    public static void ConfigureDocuments(StoreOptions options)
    {
        ProductSchema.Configure(options);
        options.Schema.For<StockItem>().UseOptimisticConcurrency(true);
        // Release, commit and expiry of one order can race (on two instances): the loser retries on fresh state.
        options.Schema.For<Reservation>().UseOptimisticConcurrency(true);
        options.Schema.For<StockMovement>().Index([m => m.ProductId, m => m.At]);
    }

    public static void AddConsumers(IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<ReserveStockConsumer, ReserveStockConsumerDefinition>();
        bus.AddConsumer<ReleaseStockConsumer>();
        bus.AddConsumer<CommitStockConsumer>();
        bus.AddConsumer<RestockOrderConsumer>();
        bus.AddConsumer<ExpireReservationConsumer>();
    }

    public static void DescribeOperations(OperationsCatalog operations) => operations.StreamSource<StockHistorySource>(StockHistorySource.KindName);

    public static WebApplicationBuilder AddInventory(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ReservationOptions>()
            .Bind(builder.Configuration.GetSection("Inventory:Reservations"))
            .Validate(o => o.Hold > TimeSpan.Zero, "Inventory:Reservations:Hold must be a positive time span (e.g. 00:15:00).")
            .ValidateOnStart();
        builder.Services.AddSingleton<ProductCatalog>();
        builder.AddCatalogCache();
        if (builder.Configuration.GetValue<bool>("Inventory:SeedDemoCatalog"))
            builder.Services.AddHostedService<DemoCatalogSeeder>();
        return builder;
    }

    public static WebApplication MapInventory(this WebApplication app)
    {
        var products = app.MapGroup("/api/products").WithTags("Products");
        products.MapGet("/", BrowseProductsEndpoint.List).AllowAnonymous().CacheOutput(CatalogCache.Policy)
            .Produces<ProductPage>().Produces(StatusCodes.Status304NotModified).ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden);
        products.MapGet("/{id:guid}", BrowseProductsEndpoint.Get).AllowAnonymous().CacheOutput(CatalogCache.Policy)
            .Produces<ProductResponse>().Produces(StatusCodes.Status304NotModified).ProducesProblem(StatusCodes.Status404NotFound);
        products.MapPost("/", CreateProductEndpoint.Handle).RequireAuthorization(ShopPolicies.Admin);
        products.MapPut("/{id:guid}", UpdateProductEndpoint.Handle).RequireAuthorization(ShopPolicies.Admin);
        products.MapPost("/{id:guid}/deactivate", DeactivateProductEndpoint.Deactivate).RequireAuthorization(ShopPolicies.Admin);
        products.MapPost("/{id:guid}/reactivate", DeactivateProductEndpoint.Reactivate).RequireAuthorization(ShopPolicies.Admin);
        products.MapPost("/{id:guid}/stock", AddStockEndpoint.Handle).RequireAuthorization(ShopPolicies.Admin);
        products.MapPost("/{id:guid}/stock/adjustments", AdjustStockEndpoint.Handle).RequireAuthorization(ShopPolicies.Admin);
        products.MapGet("/{id:guid}/stock", ViewStockEndpoint.Handle).RequireAuthorization(ShopPolicies.Admin);
        return app;
    }
}
