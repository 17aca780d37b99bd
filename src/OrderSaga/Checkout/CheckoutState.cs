using System.Text.Json.Serialization;
using MassTransit;
using Shop.Messaging.Sagas;
using Shop.Contracts;
using Shop.Contracts.Orders;
using Shop.OrderSaga.Orders;

namespace Shop.OrderSaga.Checkout;

/// <summary>The checkout saga's state for one order (CorrelationId = order id).</summary>
public class CheckoutState : SagaStateMachineInstance, IEventSourcedSaga
{
    public Guid CorrelationId { get; set; }
    public string CurrentState { get; set; } = "";

    public Guid CustomerId { get; set; }
    public string CustomerEmail { get; set; } = "";
    public string CustomerName { get; set; } = "";
    public List<OrderLine> Lines { get; set; } = [];
    public decimal Total { get; set; }
    public string Currency { get; set; } = "";
    public string PaymentMethod { get; set; } = "";
    public ShippingAddress? ShippingAddress { get; set; }
    public DateTimeOffset PlacedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public Guid? PaymentTimeoutToken { get; set; }
    public string? PaymentId { get; set; }
    public decimal RefundRequestedAmount { get; set; }
    public decimal RefundedAmount { get; set; }
    public string? FailureReason { get; set; }

    /// <summary>
    /// The order as the events this saga recorded made it (<see cref="Order.After"/>): its status, a cancel or refund
    /// under way, when it shipped and its goods came back, what was captured. The saga asks it what a person may do
    /// (<see cref="Order"/>'s Decide functions) and follows its facts where the process branches.
    /// </summary>
    public Order Order { get; set; } = Order.Unknown(Guid.Empty);

    // Written for orders instances of the version before Order (a rolling update runs both on one queue for a while):
    // they read these fields and know no Order. Nothing here reads them. Remove one release after.
    public bool CancellationRequested => Order.CancellationRequested;
    public DateTimeOffset? ShippedAt => Order.ShippedAt;
    public DateTimeOffset? ReturnReceivedAt => Order.ReturnReceivedAt;
    public decimal CapturedAmount => Order.Captured;

    /// <summary>A document written before the saga kept its <see cref="Order"/> (an upgrade) has none; every saga
    /// recorded its OrderPlaced, so the order stream gives it back.</summary>
    [JsonIgnore]
    public bool NeedsHistory => Order.Status == "";

    public void Replay(IEnumerable<object> history)
    {
        foreach (var orderEvent in history)
            Order = Order.After(Order, orderEvent);
    }

    [JsonIgnore]
    public List<object> PendingEvents { get; } = [];

    [JsonIgnore]
    public OrderSummary Summary => new(CustomerId, CustomerEmail, CustomerName, Lines, Total, Currency);

    public void Record(object orderEvent)
    {
        Order = Order.After(Order, orderEvent);
        if (orderEvent is OrderRefundRequested requested)
            RefundRequestedAmount += requested.Amount;
        if (orderEvent is OrderRefundIssued issued)
            RefundedAmount += issued.Amount;
        PendingEvents.Add(orderEvent);
        UpdatedAt = DateTimeOffset.UtcNow;
    }

    public void Record(OrderDecision decision)
    {
        foreach (var orderEvent in decision.Events)
            Record(orderEvent);
    }
}
