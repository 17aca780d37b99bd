using Shop.Contracts;

namespace Shop.OrderSaga.Orders.Projections;

public record TimelineEntry(string Status, DateTimeOffset At, string? Detail);

public record PaymentInfo(string Method, string? PaymentId, string? Provider, decimal? Captured, decimal? Refunded);

/// <summary>
/// Read model behind GET /api/orders/{id} (and, through its CustomerId index, each customer's order history),
/// projected asynchronously from the order stream by the async daemon (OrdersModule), so it may trail the saga by a moment. Status follows the main path; side events (notifications, refunds of a
/// closed order, a late capture) only add timeline entries.
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
    public string? TrackingReference { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public List<TimelineEntry> Timeline { get; set; } = [];
    public long Version { get; set; }

    public static OrderDetails Create(OrderPlaced placed) => new()
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
        UpdatedAt = placed.PlacedAt,
        Timeline = [new TimelineEntry(OrderStatus.Placed, placed.PlacedAt, null)],
    };

    public void Apply(OrderStockReserved e) => Move(OrderStatus.StockReserved, e.At);

    public void Apply(OrderPaymentCaptured e)
    {
        Payment = Payment with { PaymentId = e.PaymentId, Provider = e.Provider, Captured = e.Amount };
        if (e.Late)
            Note("PaymentCapturedLate", e.At, $"{e.Amount} {Currency} captured after the order closed; refunded");
        else
            Move(OrderStatus.PaymentCaptured, e.At);
    }

    public void Apply(OrderConfirmed e) => Move(OrderStatus.Confirmed, e.At);

    public void Apply(OrderCustomerNotified e) => Note("CustomerNotified", e.At, e.Kind);

    public void Apply(OrderCustomerNotificationFailed e) => Note("CustomerNotificationFailed", e.At, $"{e.Kind}: {e.Error}");

    public void Apply(OrderCompleted e) => Move(OrderStatus.Completed, e.At);

    public void Apply(OrderShipped e)
    {
        ShippedAt = e.At;
        TrackingReference = e.TrackingReference;
        Move(OrderStatus.Shipped, e.At, e.TrackingReference);
    }

    public void Apply(OrderReturnRequested e) => Move(OrderStatus.ReturnRequested, e.At, e.Reason);

    public void Apply(OrderReturnReceived e) => Move(OrderStatus.ReturnReceived, e.At);

    public void Apply(OrderRestocked e) => Note("Restocked", e.At, null);

    public void Apply(OrderRestockFailed e) => Note("RestockFailed", e.At, e.Reason);

    public void Apply(OrderFailed e)
    {
        FailureReason = e.Reason;
        Move(OrderStatus.Failed, e.At, e.Detail is null ? e.Reason : $"{e.Reason}: {e.Detail}");
    }

    public void Apply(OrderCancellationRequested e)
    {
        CancellationRequested = true;
        Note("CancellationRequested", e.At, e.Reason);
    }

    public void Apply(OrderCancelled e) => Move(OrderStatus.Cancelled, e.At, e.Reason);

    public void Apply(OrderRefundRequested e)
    {
        RefundRequested = true;
        Note("RefundRequested", e.At, $"{e.Amount} {Currency} ({e.Reason})");
    }

    public void Apply(OrderRefundIssued e)
    {
        Payment = Payment with { Refunded = (Payment.Refunded ?? 0) + e.Amount };
        if (OrderStatus.After(e, Status) is { } status)
            Move(status, e.At, $"{e.Amount} {Currency}");
        else
            Note("RefundIssued", e.At, $"{e.Amount} {Currency}");
    }

    public void Apply(OrderRefundFailed e)
    {
        // The cancel (or return) did not go through: the order can be cancelled (or received) again to retry the refund.
        RefundRequested = false;
        CancellationRequested = false;
        Note("RefundFailed", e.At, e.Reason);
    }

    void Move(string status, DateTimeOffset at, string? detail = null)
    {
        Status = status;
        Note(status, at, detail);
    }

    void Note(string what, DateTimeOffset at, string? detail)
    {
        UpdatedAt = at;
        Timeline.Add(new TimelineEntry(what, at, detail));
    }
}
