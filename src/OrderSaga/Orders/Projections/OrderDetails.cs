using System.Text.Json.Serialization;
using Shop.Contracts;

namespace Shop.OrderSaga.Orders.Projections;

public record TimelineEntry(string Status, DateTimeOffset At, string? Detail);

public record PaymentInfo(string Method, string? PaymentId, string? Provider, decimal? Captured, decimal? Refunded);

/// <summary>
/// Read model behind GET /api/orders/{id} (and, through its CustomerId index, each customer's order history),
/// projected asynchronously from the order stream by the async daemon (OrdersModule), so it may trail the saga by a
/// moment. The order's status and the facts its rules need follow <see cref="Order.After"/> (<see cref="Fold"/>); the
/// rest is what a customer reads: lines, payment, a timeline with an entry per status and per side event
/// (notifications, refunds of a closed order, a late capture).
/// </summary>
public partial class OrderDetails
{
    public Guid Id { get; set; }
    public Guid CustomerId { get; set; }
    public string CustomerEmail { get; set; } = "";
    public string Status { get; set; } = OrderStatus.Placed;
    public string? FailureReason { get; set; }
    public List<OrderLine> Lines { get; set; } = [];
    public decimal Total { get; set; }
    public string Currency { get; set; } = "";
    public PaymentInfo Payment { get; set; } = new("", null, null, null, null);
    public ShippingAddress? ShippingAddress { get; set; }
    public bool CancellationRequested { get; set; }
    public bool RefundRequested { get; set; }
    public DateTimeOffset? ShippedAt { get; set; }
    public DateTimeOffset? ReturnReceivedAt { get; set; }
    public string? TrackingReference { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public List<TimelineEntry> Timeline { get; set; } = [];
    public long Version { get; set; }

    /// <summary>The order as its decider sees it, for the endpoints' first check and the API's Can* answers.</summary>
    [JsonIgnore]
    public Order State => new(Id, Status, CancellationRequested, RefundRequested, ShippedAt, ReturnReceivedAt, Payment.Captured ?? 0m);

    public static OrderDetails Create(OrderPlaced placed)
    {
        var order = new OrderDetails
        {
            Id = placed.OrderId,
            CustomerId = placed.CustomerId,
            CustomerEmail = placed.CustomerEmail,
            Lines = placed.Lines.ToList(),
            Total = placed.Total,
            Currency = placed.Currency,
            Payment = new PaymentInfo(placed.PaymentMethod, null, null, null, null),
            ShippingAddress = placed.ShippingAddress,
            CreatedAt = placed.PlacedAt,
        };
        order.Fold(placed, placed.PlacedAt);
        return order;
    }

    public void Apply(OrderStockReserved e) => Fold(e, e.At);

    public void Apply(OrderPaymentCaptured e)
    {
        Payment = Payment with { PaymentId = e.PaymentId, Provider = e.Provider, Captured = e.Amount };
        if (e.Late)
            Fold(e, e.At, $"{e.Amount} {Currency} captured after the order closed; refunded", "PaymentCapturedLate");
        else
            Fold(e, e.At);
    }

    public void Apply(OrderConfirmed e) => Fold(e, e.At);

    public void Apply(OrderCustomerNotified e) => Fold(e, e.At, e.Kind, "CustomerNotified");

    public void Apply(OrderCustomerNotificationFailed e) => Fold(e, e.At, $"{e.Kind}: {e.Error}", "CustomerNotificationFailed");

    public void Apply(OrderCompleted e) => Fold(e, e.At);

    public void Apply(OrderShipped e)
    {
        TrackingReference = e.TrackingReference;
        Fold(e, e.At, e.TrackingReference);
    }

    public void Apply(OrderReturnRequested e) => Fold(e, e.At, e.Reason);

    public void Apply(OrderReturnReceived e) => Fold(e, e.At);

    public void Apply(OrderRestocked e) => Fold(e, e.At, null, "Restocked");

    public void Apply(OrderRestockFailed e) => Fold(e, e.At, e.Reason, "RestockFailed");

    public void Apply(OrderStockCommitFailedAfterShipping e) => Fold(e, e.At, e.Reason, "StockCommitFailedAfterShipping");

    public void Apply(OrderFailed e)
    {
        FailureReason = e.Reason;
        Fold(e, e.At, e.Detail is null ? e.Reason : $"{e.Reason}: {e.Detail}");
    }

    public void Apply(OrderCancellationRequested e) => Fold(e, e.At, e.Reason, "CancellationRequested");

    public void Apply(OrderCancelled e) => Fold(e, e.At, e.Reason);

    public void Apply(OrderRefundRequested e) => Fold(e, e.At, $"{e.Amount} {Currency} ({e.Reason})", "RefundRequested");

    public void Apply(OrderRefundIssued e)
    {
        Payment = Payment with { Refunded = (Payment.Refunded ?? 0) + e.Amount };
        Fold(e, e.At, $"{e.Amount} {Currency}", "RefundIssued");
    }

    public void Apply(OrderRefundFailed e) => Fold(e, e.At, e.Reason, "RefundFailed");

    /// <summary>
    /// Folds the event through the order's decider and adds a timeline entry: the new status when it moved the order,
    /// else <paramref name="sideNote"/> (events that change no status and name no note add no entry).
    /// </summary>
    void Fold(object orderEvent, DateTimeOffset at, string? detail = null, string? sideNote = null)
    {
        var before = Status;
        var after = Order.After(Timeline.Count == 0 ? Order.Unknown(Id) : State, orderEvent);
        (Status, CancellationRequested, RefundRequested, ShippedAt, ReturnReceivedAt) =
            (after.Status, after.CancellationRequested, after.RefundRequested, after.ShippedAt, after.ReturnReceivedAt);
        var entry = Status != before || Timeline.Count == 0 ? Status : sideNote;
        if (entry is null)
            return;
        UpdatedAt = at;
        Timeline.Add(new TimelineEntry(entry, at, detail));
    }
}
