using MassTransit;
using Shop.BuildingBlocks.Messaging;
using Shop.Contracts.Carts;
using Shop.Contracts.Inventory;
using Shop.Contracts.Notifications;
using Shop.Contracts.Payments;
using Shop.OrderSaga.Orders;
using Contract = Shop.Contracts.Orders;

namespace Shop.OrderSaga.Checkout;

/// <summary>
/// Checkout: reserve stock -> charge payment -> commit stock (confirm) -> notify -> completed, compensating when a step
/// fails. Every transition also records the order's history event (see <see cref="CheckoutState.Record"/>).
/// </summary>
public class CheckoutStateMachine : MassTransitStateMachine<CheckoutState>
{
    static readonly Uri Inventory = ServiceQueues.Address(ServiceQueues.Inventory);
    static readonly Uri Payments = ServiceQueues.Address(ServiceQueues.Payments);

    public State AwaitingStock { get; private set; } = null!;
    public State AwaitingPayment { get; private set; } = null!;
    public State Confirming { get; private set; } = null!;
    public State Confirmed { get; private set; } = null!;
    public State Completed { get; private set; } = null!;
    public State Failed { get; private set; } = null!;
    public State Cancelled { get; private set; } = null!;

    public Event<CheckoutRequested> CheckoutRequested { get; private set; } = null!;
    public Event<StockReserved> StockReserved { get; private set; } = null!;
    public Event<StockReservationFailed> StockReservationFailed { get; private set; } = null!;
    public Event<PaymentCaptured> PaymentCaptured { get; private set; } = null!;
    public Event<PaymentFailed> PaymentFailed { get; private set; } = null!;
    public Event<StockCommitted> StockCommitted { get; private set; } = null!;
    public Event<StockCommitFailed> StockCommitFailed { get; private set; } = null!;
    public Event<CustomerNotified> CustomerNotified { get; private set; } = null!;
    public Event<Contract.CancelOrder> CancelRequested { get; private set; } = null!;

    public CheckoutStateMachine()
    {
        InstanceState(x => x.CurrentState);

        Event(() => CheckoutRequested, e => e.CorrelateById(m => m.Message.OrderId));
        Event(() => StockReserved, e => e.CorrelateById(m => m.Message.OrderId));
        Event(() => StockReservationFailed, e => e.CorrelateById(m => m.Message.OrderId));
        Event(() => PaymentCaptured, e => e.CorrelateById(m => m.Message.OrderId));
        Event(() => PaymentFailed, e => e.CorrelateById(m => m.Message.OrderId));
        Event(() => StockCommitted, e => e.CorrelateById(m => m.Message.OrderId));
        Event(() => StockCommitFailed, e => e.CorrelateById(m => m.Message.OrderId));
        Event(() => CustomerNotified, e => e.CorrelateById(m => m.Message.OrderId));
        Event(() => CancelRequested, e => e.CorrelateById(m => m.Message.OrderId));

        Initially(
            When(CheckoutRequested)
                .Then(context =>
                {
                    var m = context.Message;
                    var saga = context.Saga;
                    saga.CustomerId = m.CustomerId;
                    saga.CustomerEmail = m.CustomerEmail;
                    saga.CustomerName = m.CustomerName;
                    saga.Lines = m.Lines.ToList();
                    saga.Total = m.Total;
                    saga.Currency = m.Currency;
                    saga.PaymentMethod = m.PaymentMethod;
                    saga.ShippingAddress = m.ShippingAddress;
                    saga.PlacedAt = m.RequestedAt;
                    saga.Record(new OrderPlaced(m.OrderId, m.CustomerId, m.CustomerEmail, m.CustomerName, m.Lines, m.Total, m.Currency,
                        m.PaymentMethod, m.ShippingAddress, m.RequestedAt));
                })
                .Send(Inventory, context => new ReserveStock(context.Saga.CorrelationId,
                    context.Saga.Lines.Select(l => new StockLine(l.ProductId, l.Quantity)).ToList()))
                .TransitionTo(AwaitingStock));

        During(AwaitingStock,
            When(StockReserved)
                .Then(context => context.Saga.Record(new OrderStockReserved(context.Saga.CorrelationId, DateTimeOffset.UtcNow)))
                .Send(Payments, context => new ChargePayment(context.Saga.CorrelationId, context.Saga.CustomerId, context.Saga.Total,
                    context.Saga.Currency, context.Saga.PaymentMethod))
                .TransitionTo(AwaitingPayment),
            When(StockReservationFailed)
                .Then(context => Fail(context.Saga, FailureReasons.OutOfStock, context.Message.Reason))
                .Publish(context => OrderFailed(context.Saga, context.Message.Reason))
                .TransitionTo(Failed),
            When(CancelRequested)
                .Then(context => context.Saga.Record(new OrderCancelled(context.Saga.CorrelationId, context.Message.Reason, DateTimeOffset.UtcNow)))
                .Send(Inventory, context => new ReleaseStock(context.Saga.CorrelationId, "Cancelled"))
                .Publish(context => new Contract.OrderCancelled(context.Saga.CorrelationId, context.Saga.Summary, context.Message.Reason, DateTimeOffset.UtcNow))
                .TransitionTo(Cancelled));

        During(AwaitingPayment,
            When(PaymentCaptured)
                .Then(context =>
                {
                    context.Saga.PaymentId = context.Message.PaymentId;
                    context.Saga.CapturedAmount = context.Message.Amount;
                    context.Saga.Record(new OrderPaymentCaptured(context.Saga.CorrelationId, context.Message.PaymentId, context.Message.Provider,
                        context.Message.Amount, DateTimeOffset.UtcNow));
                })
                .Send(Inventory, context => new CommitStock(context.Saga.CorrelationId))
                .TransitionTo(Confirming),
            When(PaymentFailed)
                .Then(context => Fail(context.Saga, FailureReasons.PaymentDeclined, context.Message.Reason))
                .Send(Inventory, context => new ReleaseStock(context.Saga.CorrelationId, FailureReasons.PaymentDeclined))
                .Publish(context => OrderFailed(context.Saga, context.Message.Reason))
                .TransitionTo(Failed));

        During(Confirming,
            When(StockCommitted)
                .Then(context => context.Saga.Record(new OrderConfirmed(context.Saga.CorrelationId, DateTimeOffset.UtcNow)))
                .Publish(context => new Contract.OrderConfirmed(context.Saga.CorrelationId, context.Saga.Summary, DateTimeOffset.UtcNow))
                .TransitionTo(Confirmed),
            When(StockCommitFailed)
                .Then(context => Fail(context.Saga, FailureReasons.StockCommitFailed, context.Message.Reason))
                .Send(Payments, context => new RefundPayment(context.Saga.CorrelationId, context.Saga.CapturedAmount, context.Saga.Currency,
                    FailureReasons.StockCommitFailed))
                .Send(Inventory, context => new ReleaseStock(context.Saga.CorrelationId, FailureReasons.StockCommitFailed))
                .Publish(context => OrderFailed(context.Saga, context.Message.Reason))
                .TransitionTo(Failed));

        DuringAny(
            When(CustomerNotified)
                .Then(context => context.Saga.Record(new OrderCustomerNotified(context.Saga.CorrelationId, context.Message.Kind,
                    context.Message.Channel, context.Message.NotifiedAt)))
                .If(context => context.Saga.CurrentState == nameof(Confirmed) && context.Message.Kind == nameof(Contract.OrderConfirmed),
                    completed => completed
                        .Then(context => context.Saga.Record(new OrderCompleted(context.Saga.CorrelationId, DateTimeOffset.UtcNow)))
                        .Publish(context => new Contract.OrderCompleted(context.Saga.CorrelationId, DateTimeOffset.UtcNow))
                        .TransitionTo(Completed)));

        // Duplicates and stragglers (a second StockReserved, a cancel after confirmation) change nothing here.
        OnUnhandledEvent(context => context.Ignore());
    }

    static void Fail(CheckoutState saga, string reason, string? detail)
    {
        saga.FailureReason = reason;
        saga.Record(new Orders.OrderFailed(saga.CorrelationId, reason, detail, DateTimeOffset.UtcNow));
    }

    static Contract.OrderFailed OrderFailed(CheckoutState saga, string? detail) =>
        new(saga.CorrelationId, saga.Summary, saga.FailureReason!, detail, DateTimeOffset.UtcNow);
}
