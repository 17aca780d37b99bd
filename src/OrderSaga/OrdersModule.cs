using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using MassTransit;
using Shop.Messaging.Sagas;
using Shop.BuildingBlocks.Operations;
using Shop.BuildingBlocks.Operations.Projections;
using Shop.BuildingBlocks.Payments;
using Shop.BuildingBlocks.Security;
using Shop.OrderSaga.Checkout;
using Shop.OrderSaga.Orders;
using Shop.OrderSaga.Orders.CancellingOrder;
using Shop.OrderSaga.Orders.ListingAllOrders;
using Shop.OrderSaga.Orders.Projections;
using Shop.OrderSaga.Orders.PublishingStatus;
using Shop.OrderSaga.Orders.ViewingOrders;

namespace Shop.OrderSaga;

public static class OrdersModule
{
    public const string Schema = "orders";

    public static void ConfigureDocuments(StoreOptions options)
    {
        options.AddSagaDocument<CheckoutState>();
        // Async (the daemon keeps it up to date): operators can rebuild it while orders keep flowing.
        options.Projections.Snapshot<OrderDetails>(SnapshotLifecycle.Async);
        options.Schema.For<OrderDetails>().Index(o => o.CustomerId);
        // Card text that checkouts passed on before the cart refused it (PaymentMethodMasking): the events, the read model, the saga.
        options.AddPaymentMethodMaskingRule<OrderPlaced>(e => e.PaymentMethod, (e, masked) => e with { PaymentMethod = masked });
    }

    /// <summary>The async daemon (HotCold: one instance runs the shards) for OrderDetails and the status relay.</summary>
    public static MartenServiceCollectionExtensions.MartenConfigurationExpression AddOrderDaemon(
        this MartenServiceCollectionExtensions.MartenConfigurationExpression marten) =>
        marten.AddAsyncDaemon(DaemonMode.HotCold)
            .AddSubscriptionWithServices<OrderStatusRelay>(ServiceLifetime.Singleton, o => o.Name = OrderStatusRelay.SubscriptionName);

    /// <summary>The checkout saga's terminal states: the order's outcome is final (operators' "stuck" view, retention).</summary>
    static readonly string[] FinishedCheckoutStates = [nameof(CheckoutStateMachine.Completed), nameof(CheckoutStateMachine.Failed),
        nameof(CheckoutStateMachine.Cancelled), nameof(CheckoutStateMachine.Refunded)];

    public static void DescribeOperations(OperationsCatalog operations) => operations
        .EventStreams<OrderDetails>("order")
        .Saga<CheckoutState>("checkout", FinishedCheckoutStates);

    public static WebApplicationBuilder AddOrders(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<CheckoutOptions>(builder.Configuration.GetSection(CheckoutOptions.Section));
        builder.Services.AddFinishedSagaRetention<CheckoutState>(FinishedCheckoutStates);
        // The order view and the status relay run in the async daemon: a shard that stopped on a failure is started again.
        builder.Services.AddHostedService<ShardWatchdog>();
        builder.Services.AddPaymentMethodMasking<OrderPlaced>(e => e.PaymentMethod,
            new PaymentMethodCopy(typeof(OrderDetails), "Payment", "Method"), new PaymentMethodCopy(typeof(CheckoutState), nameof(CheckoutState.PaymentMethod)));
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
