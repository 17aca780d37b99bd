using JasperFx.Events.Projections;
using Marten;
using MassTransit;
using Shop.BuildingBlocks.Operations;
using Shop.CartService.Carts;
using Shop.CartService.Carts.AddingItem;
using Shop.CartService.Carts.CheckingOut;
using Shop.CartService.Carts.ViewingCart;
using Shop.CartService.Catalog;

namespace Shop.CartService;

public static class CartModule
{
    public const string Schema = "cart";

    public static void ConfigureDocuments(StoreOptions options)
    {
        options.Projections.Snapshot<Cart>(SnapshotLifecycle.Inline);
        options.Schema.For<ActiveCart>();
        options.Schema.For<CatalogProduct>();
    }

    public static void DescribeOperations(OperationsCatalog operations) => operations.EventStreams<Cart>("cart");

    public static void AddConsumers(IBusRegistrationConfigurator bus) => bus.AddConsumer<ProductReplicaConsumer>();

    public static WebApplicationBuilder AddCart(this WebApplicationBuilder builder)
    {
        var inventory = builder.Configuration["Services:Inventory"]
            ?? throw new InvalidOperationException("Services:Inventory (InventoryService's base URL) is not configured.");
        builder.Services.AddHttpClient<InventoryCatalogClient>(http =>
        {
            http.BaseAddress = new Uri(inventory.TrimEnd('/') + "/");
            http.Timeout = TimeSpan.FromSeconds(5);
        });
        builder.Services.AddHostedService<CatalogReplicaSync>();
        return builder;
    }

    public static WebApplication MapCart(this WebApplication app)
    {
        var cart = app.MapGroup("/api/cart").WithTags("Cart").RequireAuthorization();
        cart.MapGet("/", ViewCartEndpoint.Handle);
        cart.MapPost("/items", AddItemEndpoint.Handle);
        cart.MapPost("/checkout", CheckoutEndpoint.Handle);
        return app;
    }
}
