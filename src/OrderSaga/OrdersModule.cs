using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using MassTransit;
using Shop.BuildingBlocks;
using Shop.BuildingBlocks.Operations;
using Shop.BuildingBlocks.Operations.Projections;
using Shop.BuildingBlocks.Payments;
using Shop.BuildingBlocks.Security;
using Shop.Messaging;
using Shop.Messaging.Sagas;
using Shop.OrderSaga.Checkout;
using Shop.OrderSaga.Orders;
using Shop.OrderSaga.Orders.CancellingOrder;
using Shop.OrderSaga.Orders.ListingAllOrders;
using Shop.OrderSaga.Orders.Projections;
using Shop.OrderSaga.Orders.PublishingStatus;
using Shop.OrderSaga.Orders.ReturningOrder;
using Shop.OrderSaga.Orders.ShippingOrder;
using Shop.OrderSaga.Orders.ViewingOrders;

namespace Shop.OrderSaga;

public static class OrdersModule
{
    public const string Schema = ServiceNames.Orders;

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

    /// <summary>
    /// States where the checkout saga waits for nothing automatic, only (perhaps) for a person: shipping, a return, a
    /// retried refund. The operators' "stuck" view leaves them out.
    /// </summary>
    static readonly string[] SettledCheckoutStates = [nameof(CheckoutStateMachine.Completed), nameof(CheckoutStateMachine.Shipped),
        nameof(CheckoutStateMachine.ReturnRequested), nameof(CheckoutStateMachine.ReturnReceived), nameof(CheckoutStateMachine.Failed),
        nameof(CheckoutStateMachine.Cancelled), nameof(CheckoutStateMachine.Refunded)];

    /// <summary>
    /// States after which nothing more can happen to the order once it is left alone long enough: these sagas are removed
    /// after the retention period. Shipped counts because the return window (CheckoutOptions.ReturnWindow) is shorter than
    /// the retention; a completed order still waits to be shipped (or cancelled), so it stays.
    /// </summary>
    static readonly string[] FinishedCheckoutStates = [nameof(CheckoutStateMachine.Shipped), nameof(CheckoutStateMachine.Failed),
        nameof(CheckoutStateMachine.Cancelled), nameof(CheckoutStateMachine.Refunded)];

    public static void DescribeOperations(OperationsCatalog operations) => operations
        .EventStreams<OrderDetails>("order")
        .Saga<CheckoutState>("checkout", SettledCheckoutStates);

    public static WebApplicationBuilder AddOrders(this WebApplicationBuilder builder)
    {
        var checkout = builder.Configuration.GetSection(CheckoutOptions.Section).Get<CheckoutOptions>() ?? new CheckoutOptions();
        var retention = MessagingOptions.From(builder.Configuration).FinishedSagaRetention;
        // A shipped order's saga is removed after the retention; it must outlive the return window.
        if (checkout.ReturnWindow >= retention)
            throw new InvalidOperationException(
                $"{CheckoutOptions.Section}:ReturnWindow ({checkout.ReturnWindow}) must be shorter than {MessagingOptions.Section}:FinishedSagaRetention ({retention}).");
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
        orders.MapPost("/{id:guid}/ship", ShipOrderEndpoint.Handle).RequireAuthorization(ShopPolicies.Admin);
        orders.MapPost("/{id:guid}/return", RequestReturnEndpoint.Handle);
        orders.MapPost("/{id:guid}/return/received", RecordReturnReceivedEndpoint.Handle).RequireAuthorization(ShopPolicies.Admin);
        return app;
    }
}
