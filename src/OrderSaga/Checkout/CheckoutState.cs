using System.Text.Json.Serialization;
using MassTransit;
using Shop.Messaging.Sagas;
using Shop.Contracts;
using Shop.Contracts.Orders;

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
    public decimal CapturedAmount { get; set; }
    public decimal RefundRequestedAmount { get; set; }
    public decimal RefundedAmount { get; set; }
    public string? FailureReason { get; set; }
    /// <summary>The customer asked to cancel while the stock commit was in flight; its outcome decides.</summary>
    public bool CancellationRequested { get; set; }
    public DateTimeOffset? ShippedAt { get; set; }
    /// <summary>Set when an admin recorded the returned goods: a refund that fails then leaves the order ReturnReceived.</summary>
    public DateTimeOffset? ReturnReceivedAt { get; set; }

    [JsonIgnore]
    public List<object> PendingEvents { get; } = [];

    [JsonIgnore]
    public OrderSummary Summary => new(CustomerId, CustomerEmail, CustomerName, Lines, Total, Currency);

    public void Record(object orderEvent)
    {
        PendingEvents.Add(orderEvent);
        UpdatedAt = DateTimeOffset.UtcNow;
    }
}
