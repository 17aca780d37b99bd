using JasperFx.Events.Projections;
using Marten;
using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Shop.BuildingBlocks;
using Shop.BuildingBlocks.Operations;
using Shop.BuildingBlocks.Payments;
using Shop.BuildingBlocks.Security;
using Shop.CartService.Carts;
using Shop.CartService.Carts.Abandoning;
using Shop.CartService.Carts.AddingItem;
using Shop.CartService.Carts.ChangingQuantity;
using Shop.CartService.Carts.CheckingOut;
using Shop.CartService.Carts.ClearingCart;
using Shop.CartService.Carts.History;
using Shop.CartService.Carts.RemovingItem;
using Shop.CartService.Carts.ViewingCart;
using Shop.CartService.Catalog;

namespace Shop.CartService;

public static class CartModule
{
    public const string Schema = ServiceNames.Cart;

    public static void ConfigureDocuments(StoreOptions options)
    {
        options.Projections.Snapshot<Cart>(SnapshotLifecycle.Inline);
        options.Schema.For<Cart>().Index(c => c.CustomerId).Index(c => c.LastActivityAt);
        options.Schema.For<ActiveCart>();
        options.Schema.For<CatalogProduct>();
        options.Schema.For<CheckoutRecord>().Identity(r => r.Id).Index(r => r.CustomerId);
        // Card text that checkouts stored before they were refused (PaymentMethodMasking): the events, and the cart snapshot.
        options.AddPaymentMethodMaskingRule<CheckedOut>(e => e.PaymentMethod, (e, masked) => e with { PaymentMethod = masked });
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

        builder.Services.AddPaymentMethodMasking<CheckedOut>(e => e.PaymentMethod, new PaymentMethodCopy(typeof(Cart), "Checkout", "PaymentMethod"));
        builder.Services.AddSingleton<CartWriter>();
        builder.Services.AddSingleton<CartReader>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.Configure<AbandonedCartOptions>(builder.Configuration.GetSection("Cart"));
        builder.Services.AddSingleton<AbandonedCartSweeper>();
        builder.Services.AddHostedService(services => services.GetRequiredService<AbandonedCartSweeper>());
        return builder;
    }

    public static WebApplication MapCart(this WebApplication app)
    {
        var cart = app.MapGroup("/api/cart").WithTags("Cart").RequireAuthorization();
        cart.MapGet("/", ViewCartEndpoint.Mine).Produces<CartResponse>();
        cart.MapDelete("/", ClearCartEndpoint.Handle).Produces(StatusCodes.Status204NoContent);
        cart.MapPost("/items", AddItemEndpoint.Handle).Produces<CartResponse>();
        cart.MapPut("/items/{productId:guid}", ChangeQuantityEndpoint.Handle).Produces<CartResponse>();
        cart.MapDelete("/items/{productId:guid}", RemoveItemEndpoint.Handle).Produces<CartResponse>();
        cart.MapPost("/checkout", CheckoutEndpoint.Handle).Produces<CheckoutResponse>(StatusCodes.Status202Accepted);
        cart.MapGet("/history", CartHistoryEndpoint.Mine);
        cart.MapGet("/abandoned", ListAbandonedCartsEndpoint.Handle).RequireAuthorization(ShopPolicies.Admin);
        cart.MapGet("/{cartId:guid}", ViewCartEndpoint.One).Produces<CartResponse>();
        cart.MapGet("/{cartId:guid}/history", CartHistoryEndpoint.One).Produces<CartHistoryResponse>();
        return app;
    }
}
