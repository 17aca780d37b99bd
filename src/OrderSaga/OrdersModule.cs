using JasperFx.Events.Projections;
using Marten;
using MassTransit;
using Shop.BuildingBlocks.Messaging.Sagas;
using Shop.BuildingBlocks.Security;
using Shop.OrderSaga.Checkout;
using Shop.OrderSaga.Orders.CancellingOrder;
using Shop.OrderSaga.Orders.ListingAllOrders;
using Shop.OrderSaga.Orders.Projections;
using Shop.OrderSaga.Orders.ViewingOrders;

namespace Shop.OrderSaga;

public static class OrdersModule
{
    public const string Schema = "orders";

    public static void ConfigureDocuments(StoreOptions options)
    {
        options.AddSagaDocument<CheckoutState>();
        options.Projections.Snapshot<OrderDetails>(SnapshotLifecycle.Inline);
        options.Schema.For<OrderDetails>().Index(o => o.CustomerId);
    }

    public static WebApplicationBuilder AddOrders(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<CheckoutOptions>(builder.Configuration.GetSection(CheckoutOptions.Section));
        return builder;
    }

    public static void AddSagas(IBusRegistrationConfigurator bus) =>
        bus.AddSagaStateMachine<CheckoutStateMachine, CheckoutState>().MartenRepository();

    public static WebApplication MapOrders(this WebApplication app)
    {
        var orders = app.MapGroup("/api/orders").WithTags("Orders").RequireAuthorization();
        orders.MapGet("/", ViewOrdersEndpoint.Mine);
        orders.MapGet("/{id:guid}", ViewOrdersEndpoint.One);
        orders.MapGet("/all", ListAllOrdersEndpoint.Handle).RequireAuthorization(ShopPolicies.Admin);
        orders.MapPost("/{id:guid}/cancel", CancelOrderEndpoint.Handle);
        return app;
    }
}
