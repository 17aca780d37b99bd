using System.Linq.Expressions;
using MassTransit;
using Microsoft.Extensions.Options;
using Shop.BuildingBlocks.Messaging;
using Shop.Contracts.Carts;
using Shop.Contracts.Inventory;
using Shop.Contracts.Notifications;
using Shop.Contracts.Payments;
using Shop.OrderSaga.Orders;
using Contract = Shop.Contracts.Orders;

namespace Shop.OrderSaga.Checkout;

/// <summary>
/// Checkout of one order: reserve stock -> charge payment (confirmed; the reservation is committed to a sale) -> notify
/// (completed). The saga confirms when the payment is captured, with the stock reserved, and tells inventory to commit the
/// reservation without waiting for an answer: the hold lasts far longer than a payment may (the payment timeout), and a
/// commit that still comes after it sells the units if they are there, so only a commit that cannot sell answers.
/// Every path that can go wrong ends in an explained state:
/// <list type="bullet">
/// <item>out of stock -> Failed(OutOfStock);</item>
/// <item>payment declined -> release stock -> Failed(PaymentDeclined);</item>
/// <item>no payment answer within <see cref="CheckoutOptions.PaymentTimeout"/> -> release stock -> Failed(PaymentTimeout);
/// a capture that arrives after the order failed or was cancelled is refunded;</item>
/// <item>the stock commit fails after confirmation (the reservation expired before the commit arrived and the units
/// are gone) -> refund -> Failed(StockCommitFailed);</item>
/// <item>the reservation expires while the payment is pending -> Failed(ReservationExpired) (late capture refunded);</item>
/// <item>cancel before payment -> release -> Cancelled;</item>
/// <item>cancel after confirmation, until the order ships -> refund -> restock (the commit's compensation) -> Refunded;</item>
/// <item>shipped (an admin says the goods left) -> no cancel any more; a return requested within
/// <see cref="CheckoutOptions.ReturnWindow"/> -> ReturnRequested -> goods received (an admin) -> refund -> restock ->
/// Refunded. A refund that fails leaves the order where its refund can be asked again: Completed after a cancel,
/// ReturnReceived after a return. Restocking runs only after the money went back, so units never return twice and an
/// order whose refund failed keeps its goods sold.</item>
/// </list>
/// Notification failures are recorded on the order and never undo it. Duplicates and stragglers (a second
/// StockReserved, a PaymentFailed after a capture, a timeout after the answer) change nothing.
/// Each transition records the order's history event (<see cref="CheckoutState.Record"/>), which the Marten saga
/// repository appends to the order stream in the same transaction as the saga state. What a person asks (cancel, ship,
/// return, goods received) is decided by the order itself (<see cref="Order"/>): the saga records the decided events and
/// sends what they call for; a request the order refuses changes nothing.
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
    public State Shipped { get; private set; } = null!;
    public State ReturnRequested { get; private set; } = null!;
    public State ReturnReceived { get; private set; } = null!;
    public State Refunding { get; private set; } = null!;
    public State Refunded { get; private set; } = null!;
    public State Failed { get; private set; } = null!;
    public State Cancelled { get; private set; } = null!;

    public Event<CheckoutRequested> CheckoutRequested { get; private set; } = null!;
    public Event<StockReserved> StockReserved { get; private set; } = null!;
    public Event<StockReservationFailed> StockReservationFailed { get; private set; } = null!;
    public Event<StockReservationExpired> StockReservationExpired { get; private set; } = null!;
    public Event<PaymentCaptured> PaymentCaptured { get; private set; } = null!;
    public Event<PaymentFailed> PaymentFailed { get; private set; } = null!;
    public Event<StockCommitted> StockCommitted { get; private set; } = null!;
    public Event<StockCommitFailed> StockCommitFailed { get; private set; } = null!;
    public Event<PaymentRefunded> PaymentRefunded { get; private set; } = null!;
    public Event<RefundFailed> RefundFailed { get; private set; } = null!;
    public Event<CustomerNotified> CustomerNotified { get; private set; } = null!;
    public Event<CustomerNotificationFailed> CustomerNotificationFailed { get; private set; } = null!;
    public Event<StockRestocked> StockRestocked { get; private set; } = null!;
    public Event<StockRestockFailed> StockRestockFailed { get; private set; } = null!;
    public Event<Contract.CancelOrder> CancelRequested { get; private set; } = null!;
    public Event<Contract.ShipOrder> ShipRequested { get; private set; } = null!;
    public Event<Contract.RequestReturn> ReturnAsked { get; private set; } = null!;
    public Event<Contract.RecordReturnReceived> ReturnGoodsReceived { get; private set; } = null!;
    public Schedule<CheckoutState, PaymentTimedOut> PaymentTimeout { get; private set; } = null!;

    public CheckoutStateMachine(IOptions<CheckoutOptions> options)
    {
        InstanceState(x => x.CurrentState);
        // What a person asks of the order is decided by the order (Order.Decide); the saga sends what the decision calls for.
        Func<Order, Contract.CancelOrder, DateTimeOffset, OrderDecision> cancel = Order.Decide;
        Func<Order, Contract.RecordReturnReceived, DateTimeOffset, OrderDecision> receive = Order.Decide;

        Event(() => CheckoutRequested, e => e.CorrelateById(m => m.Message.OrderId));
        ByOrderId(() => StockReserved, m => m.OrderId);
        ByOrderId(() => StockReservationFailed, m => m.OrderId);
        ByOrderId(() => StockReservationExpired, m => m.OrderId);
        ByOrderId(() => PaymentCaptured, m => m.OrderId);
        ByOrderId(() => PaymentFailed, m => m.OrderId);
        ByOrderId(() => StockCommitted, m => m.OrderId);
        ByOrderId(() => StockCommitFailed, m => m.OrderId);
        ByOrderId(() => PaymentRefunded, m => m.OrderId);
        ByOrderId(() => RefundFailed, m => m.OrderId);
        ByOrderId(() => CustomerNotified, m => m.OrderId);
        ByOrderId(() => CustomerNotificationFailed, m => m.OrderId);
        ByOrderId(() => StockRestocked, m => m.OrderId);
        ByOrderId(() => StockRestockFailed, m => m.OrderId);
        ByOrderId(() => CancelRequested, m => m.OrderId);
        ByOrderId(() => ShipRequested, m => m.OrderId);
        ByOrderId(() => ReturnAsked, m => m.OrderId);
        ByOrderId(() => ReturnGoodsReceived, m => m.OrderId);
        Schedule(() => PaymentTimeout, x => x.PaymentTimeoutToken, s =>
        {
            s.Delay = options.Value.PaymentTimeout;
            s.Received = e => e.CorrelateById(m => m.Message.OrderId);
        });

        Initially(
            When(CheckoutRequested)
                .Then(context => Place(context.Saga, context.Message))
                .Send(Inventory, context => new ReserveStock(context.Saga.CorrelationId,
                    context.Saga.Lines.Select(l => new StockLine(l.ProductId, l.Quantity)).ToList()))
                .TransitionTo(AwaitingStock));

        During(AwaitingStock,
            When(StockReserved)
                .Then(context => context.Saga.Record(new OrderStockReserved(context.Saga.CorrelationId, Now)))
                .Send(Payments, context => new ChargePayment(context.Saga.CorrelationId, context.Saga.CustomerId, context.Saga.Total,
                    context.Saga.Currency, context.Saga.PaymentMethod))
                .Schedule(PaymentTimeout, context => new PaymentTimedOut(context.Saga.CorrelationId))
                .TransitionTo(AwaitingPayment),
            When(StockReservationFailed)
                .Then(context => Fail(context.Saga, FailureReasons.OutOfStock, context.Message.Reason))
                .Publish(context => OrderFailed(context.Saga, context.Message.Reason))
                .TransitionTo(Failed),
            Decided(CancelRequested, cancel)
                .Send(Inventory, context => new ReleaseStock(context.Saga.CorrelationId, context.Message.Reason))
                .Publish(context => OrderCancelled(context.Saga, context.Message.Reason))
                .TransitionTo(Cancelled));

        During(AwaitingPayment,
            When(PaymentCaptured)
                .Unschedule(PaymentTimeout)
                .Then(context => Captured(context.Saga, context.Message, late: false))
                .Then(context => Confirm(context.Saga))
                .Publish(context => OrderConfirmed(context.Saga))
                .Send(Inventory, context => new CommitStock(context.Saga.CorrelationId, ReplyWhenCommitted: false))
                .TransitionTo(Confirmed),
            When(PaymentFailed)
                .Unschedule(PaymentTimeout)
                .Then(context => Fail(context.Saga, FailureReasons.PaymentDeclined, context.Message.Reason))
                .Send(Inventory, context => new ReleaseStock(context.Saga.CorrelationId, FailureReasons.PaymentDeclined))
                .Publish(context => OrderFailed(context.Saga, context.Message.Reason))
                .TransitionTo(Failed),
            // The hold ran out before the payment answered: the units are already free again; a capture that still
            // comes is refunded like any late capture.
            When(StockReservationExpired)
                .Unschedule(PaymentTimeout)
                .Then(context => Fail(context.Saga, FailureReasons.ReservationExpired, "The stock reservation expired before the payment answered"))
                .Publish(context => OrderFailed(context.Saga, null))
                .TransitionTo(Failed),
            When(PaymentTimeout.Received)
                .Then(context => Fail(context.Saga, FailureReasons.PaymentTimeout, $"No answer from the payment provider within {options.Value.PaymentTimeout}"))
                .Send(Inventory, context => new ReleaseStock(context.Saga.CorrelationId, FailureReasons.PaymentTimeout))
                .Publish(context => OrderFailed(context.Saga, null))
                .TransitionTo(Failed),
            Decided(CancelRequested, cancel)
                .Unschedule(PaymentTimeout)
                .Send(Inventory, context => new ReleaseStock(context.Saga.CorrelationId, context.Message.Reason))
                .Publish(context => OrderCancelled(context.Saga, context.Message.Reason))
                .TransitionTo(Cancelled));

        // Orders captured before the saga confirmed at capture time sent a CommitStock that answers either way; they wait
        // here for that answer (an upgrade with such orders in flight completes them). Nothing enters Confirming any more.
        During(Confirming,
            When(StockCommitted, context => !context.Saga.Order.CancellationRequested)
                .Then(context => Confirm(context.Saga))
                .Publish(context => OrderConfirmed(context.Saga))
                .TransitionTo(Confirmed),
            When(StockCommitted, context => context.Saga.Order.CancellationRequested)
                .Then(context => Confirm(context.Saga))
                .Then(context => RequestRefund(context.Saga, RefundReasons.CancelledAfterConfirmation))
                .Send(Payments, context => Refund(context.Saga, RefundReasons.CancelledAfterConfirmation))
                .TransitionTo(Refunding),
            When(StockCommitFailed, context => !context.Saga.Order.CancellationRequested)
                .Then(context => Fail(context.Saga, FailureReasons.StockCommitFailed, context.Message.Reason))
                .Then(context => RequestRefund(context.Saga, RefundReasons.StockCommitFailed))
                .Send(Payments, context => Refund(context.Saga, RefundReasons.StockCommitFailed))
                .Send(Inventory, context => new ReleaseStock(context.Saga.CorrelationId, FailureReasons.StockCommitFailed))
                .Publish(context => OrderFailed(context.Saga, context.Message.Reason))
                .TransitionTo(Failed),
            When(StockCommitFailed, context => context.Saga.Order.CancellationRequested)
                .Then(context => Cancel(context.Saga, "CancelledByCustomer"))
                .Then(context => RequestRefund(context.Saga, "CancelledByCustomer"))
                .Send(Payments, context => Refund(context.Saga, "CancelledByCustomer"))
                .Send(Inventory, context => new ReleaseStock(context.Saga.CorrelationId, "CancelledByCustomer"))
                .Publish(context => OrderCancelled(context.Saga, "CancelledByCustomer"))
                .TransitionTo(Cancelled),
            // The commit's outcome decides (above); the decided OrderCancellationRequested marks the order.
            Decided(CancelRequested, cancel));

        During(Confirmed, Completed,
            // The reservation expired before its commit arrived and its units were sold to someone else meanwhile: the
            // order cannot be delivered, so its money goes back (nothing is held any more to release).
            When(StockCommitFailed)
                .Then(context => Fail(context.Saga, FailureReasons.StockCommitFailed, context.Message.Reason))
                .Then(context => RequestRefund(context.Saga, RefundReasons.StockCommitFailed))
                .Send(Payments, context => Refund(context.Saga, RefundReasons.StockCommitFailed))
                .Publish(context => OrderFailed(context.Saga, context.Message.Reason))
                .TransitionTo(Failed),
            Decided(CancelRequested, cancel)
                .Send(Payments, context => Refund(context.Saga, RefundReasons.CancelledAfterConfirmation))
                .TransitionTo(Refunding),
            Decided(ShipRequested, (order, command, now) => Order.Decide(order, command, now))
                .Publish(context => new Contract.OrderShipped(context.Saga.CorrelationId, context.Saga.Summary, context.Message.TrackingReference,
                    context.Saga.Order.ShippedAt!.Value))
                .TransitionTo(Shipped));

        // Shipped: a cancel is refused (ignored here); a return is accepted within the window.
        During(Shipped,
            Decided(ReturnAsked, (order, command, now) => Order.Decide(order, command, now, options.Value.ReturnWindow))
                .Publish(context => new Contract.OrderReturnRequested(context.Saga.CorrelationId, context.Saga.Summary, context.Message.Reason, Now))
                .TransitionTo(ReturnRequested));

        // A commit that failed once the goods had left (it came after the hold ran out, and the units had been sold again):
        // the customer has the goods and paid for them, so nothing is undone; the timeline tells an operator that
        // inventory's counters miss this sale.
        During(Shipped, ReturnRequested, ReturnReceived,
            When(StockCommitFailed)
                .Then(context => context.Saga.Record(new OrderStockCommitFailedAfterShipping(context.Saga.CorrelationId, context.Message.Reason, Now))));

        // The goods are back: refund now (restocked once the refund went through).
        During(ReturnRequested,
            Decided(ReturnGoodsReceived, receive)
                .Send(Payments, context => Refund(context.Saga, RefundReasons.Returned))
                .TransitionTo(Refunding));

        // The refund of a received return failed: recording the goods again retries it.
        During(ReturnReceived,
            Decided(ReturnGoodsReceived, receive)
                .Send(Payments, context => Refund(context.Saga, RefundReasons.Returned))
                .TransitionTo(Refunding));

        // Every way into Refunding comes after the order was confirmed (its stock committed, or the commit on its way) and
        // before (or after the return of) the shipment, so the refund is followed by the commit's compensation: the units go
        // back (RestockOrder also closes a reservation whose commit has not arrived yet, so that commit sells nothing).
        During(Refunding,
            When(PaymentRefunded)
                .Then(context => RefundIssued(context.Saga, context.Message))
                .Publish(context => new Contract.OrderRefunded(context.Saga.CorrelationId, context.Saga.Summary, context.Message.Amount, Now))
                .Send(Inventory, context => new RestockOrder(context.Saga.CorrelationId,
                    context.Saga.Order.ReturnReceivedAt is null ? RefundReasons.CancelledAfterConfirmation : RefundReasons.Returned))
                .TransitionTo(Refunded),
            When(RefundFailed)
                .Then(context => context.Saga.Record(new OrderRefundFailed(context.Saga.CorrelationId, context.Message.Reason, Now)))
                .IfElse(context => context.Saga.Order.ReturnReceivedAt is null,
                    cancelled => cancelled.TransitionTo(Completed),
                    returned => returned.TransitionTo(ReturnReceived)));

        // After the order failed or was cancelled: a capture that still arrives (late answer after a timeout, charge in
        // flight during a cancel) is refunded once; the refund's outcome is recorded.
        During(Failed, Cancelled,
            When(PaymentCaptured, context => context.Saga.PaymentId is null)
                .Then(context => Captured(context.Saga, context.Message, late: true))
                .Then(context => RequestRefund(context.Saga, RefundReasons.CaptureAfterOrderClosed))
                .Send(Payments, context => Refund(context.Saga, RefundReasons.CaptureAfterOrderClosed)),
            When(PaymentRefunded)
                .Then(context => RefundIssued(context.Saga, context.Message)),
            When(RefundFailed)
                .Then(context => context.Saga.Record(new OrderRefundFailed(context.Saga.CorrelationId, context.Message.Reason, Now))));

        DuringAny(
            When(CustomerNotified)
                .Then(context => context.Saga.Record(new OrderCustomerNotified(context.Saga.CorrelationId, context.Message.Kind,
                    context.Message.Channel, context.Message.NotifiedAt)))
                .If(context => context.Saga.CurrentState == nameof(Confirmed) && context.Message.Kind == nameof(Contract.OrderConfirmed),
                    completed => completed
                        .Then(context => context.Saga.Record(new Orders.OrderCompleted(context.Saga.CorrelationId, Now)))
                        .Publish(context => new Contract.OrderCompleted(context.Saga.CorrelationId, Now))
                        .TransitionTo(Completed)),
            When(CustomerNotificationFailed)
                .Then(context => context.Saga.Record(new OrderCustomerNotificationFailed(context.Saga.CorrelationId, context.Message.Kind,
                    context.Message.Channel, context.Message.Error, context.Message.FailedAt))),
            When(StockRestocked)
                .Then(context => context.Saga.Record(new OrderRestocked(context.Saga.CorrelationId, context.Message.RestockedAt))),
            When(StockRestockFailed)
                .Then(context => context.Saga.Record(new OrderRestockFailed(context.Saga.CorrelationId, context.Message.Reason, Now))));

        // Everything else is a duplicate or a straggler for the current state: acknowledged, changes nothing.
        OnUnhandledEvent(context => context.Ignore());
    }

    static DateTimeOffset Now => DateTimeOffset.UtcNow;

    void ByOrderId<T>(Expression<Func<Event<T>>> @event, Func<T, Guid> orderId) where T : class =>
        Event(@event, e =>
        {
            e.CorrelateById(m => orderId(m.Message));
            // An event for an order this saga never placed (or a cancel before the order exists) is dropped, not faulted.
            e.OnMissingInstance(m => m.Discard());
        });

    static void Place(CheckoutState saga, CheckoutRequested m)
    {
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
    }

    /// <summary>A person's request, taken only when the order accepts it; the decided events are recorded (a refused one
    /// changes nothing, like any straggler).</summary>
    EventActivityBinder<CheckoutState, T> Decided<T>(Event<T> request, Func<Order, T, DateTimeOffset, OrderDecision> decide) where T : class =>
        When(request, context => Decide(context, decide).Accepted)
            .Then(context => context.Saga.Record(Decide(context, decide)));

    /// <summary>
    /// The guard and the action decide at one moment, read once per consumed message: two clock readings could let a
    /// return at the window's very end pass the guard and be refused in the action (transition without its event).
    /// </summary>
    static OrderDecision Decide<T>(BehaviorContext<CheckoutState, T> context, Func<Order, T, DateTimeOffset, OrderDecision> decide)
        where T : class =>
        decide(context.Saga.Order, context.Message, context.GetOrAddPayload(() => new DecisionMoment(Now)).At);

    sealed record DecisionMoment(DateTimeOffset At);

    static void Captured(CheckoutState saga, PaymentCaptured m, bool late)
    {
        saga.PaymentId = m.PaymentId;
        saga.Record(new OrderPaymentCaptured(saga.CorrelationId, m.PaymentId, m.Provider, m.Amount, Now, late));
    }

    static void Fail(CheckoutState saga, string reason, string? detail)
    {
        saga.FailureReason = reason;
        saga.Record(new Orders.OrderFailed(saga.CorrelationId, reason, detail, Now));
    }

    static void Confirm(CheckoutState saga) => saga.Record(new Orders.OrderConfirmed(saga.CorrelationId, Now));

    static void Cancel(CheckoutState saga, string reason) => saga.Record(new Orders.OrderCancelled(saga.CorrelationId, reason, Now));

    /// <summary>A refund is always of what was captured (a late capture too: <see cref="Captured"/> recorded it first).</summary>
    static void RequestRefund(CheckoutState saga, string reason) =>
        saga.Record(new OrderRefundRequested(saga.CorrelationId, saga.Order.Captured, reason, Now));

    static void RefundIssued(CheckoutState saga, PaymentRefunded m) =>
        saga.Record(new OrderRefundIssued(saga.CorrelationId, m.RefundId, m.Amount, Now));

    static RefundPayment Refund(CheckoutState saga, string reason) => new(saga.CorrelationId, saga.Order.Captured, saga.Currency, reason);

    static Contract.OrderConfirmed OrderConfirmed(CheckoutState saga) => new(saga.CorrelationId, saga.Summary, Now);

    static Contract.OrderFailed OrderFailed(CheckoutState saga, string? detail) =>
        new(saga.CorrelationId, saga.Summary, saga.FailureReason!, detail, Now);

    static Contract.OrderCancelled OrderCancelled(CheckoutState saga, string reason) => new(saga.CorrelationId, saga.Summary, reason, Now);
}
