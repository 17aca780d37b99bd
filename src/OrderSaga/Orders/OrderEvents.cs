using Shop.Contracts;

namespace Shop.OrderSaga.Orders;

// The order's own event stream (stream id = order id), appended by the checkout saga in the same transaction as its
// state. These are the order's history; the contracts in Shop.Contracts.Orders are what other services hear.

public record OrderPlaced(
    Guid OrderId, Guid CustomerId, string CustomerEmail, string CustomerName, IReadOnlyList<OrderLine> Lines, decimal Total,
    string Currency, string PaymentMethod, ShippingAddress? ShippingAddress, DateTimeOffset PlacedAt);

public record OrderStockReserved(Guid OrderId, DateTimeOffset At);

/// <summary>Late: the capture arrived after the order had already failed or been cancelled (it is refunded).</summary>
public record OrderPaymentCaptured(Guid OrderId, string PaymentId, string Provider, decimal Amount, DateTimeOffset At, bool Late = false);

public record OrderConfirmed(Guid OrderId, DateTimeOffset At);

public record OrderCustomerNotified(Guid OrderId, string Kind, string Channel, DateTimeOffset At);

public record OrderCustomerNotificationFailed(Guid OrderId, string Kind, string Channel, string Error, DateTimeOffset At);

public record OrderCompleted(Guid OrderId, DateTimeOffset At);

public record OrderShipped(Guid OrderId, Guid ShippedBy, string? TrackingReference, DateTimeOffset At);

public record OrderReturnRequested(Guid OrderId, Guid RequestedBy, string Reason, DateTimeOffset At);

public record OrderReturnReceived(Guid OrderId, Guid RecordedBy, DateTimeOffset At);

/// <summary>The order's sold units are back on hand (after the refund of an order that never shipped or came back).</summary>
public record OrderRestocked(Guid OrderId, DateTimeOffset At);

public record OrderRestockFailed(Guid OrderId, string Reason, DateTimeOffset At);

/// <summary>
/// The stock commit failed after the goods had shipped: the reservation ran out before the commit arrived and its units
/// were sold again meanwhile, so inventory never counted this sale and its on-hand figure is too high by this order's
/// units. The order keeps its goods and its money; an operator corrects the stock.
/// </summary>
public record OrderStockCommitFailedAfterShipping(Guid OrderId, string Reason, DateTimeOffset At);

public record OrderFailed(Guid OrderId, string Reason, string? Detail, DateTimeOffset At);

public record OrderCancellationRequested(Guid OrderId, Guid RequestedBy, string Reason, DateTimeOffset At);

public record OrderCancelled(Guid OrderId, string Reason, DateTimeOffset At);

public record OrderRefundRequested(Guid OrderId, decimal Amount, string Reason, DateTimeOffset At);

public record OrderRefundIssued(Guid OrderId, string RefundId, decimal Amount, DateTimeOffset At);

public record OrderRefundFailed(Guid OrderId, string Reason, DateTimeOffset At);

/// <summary>An order's statuses; how events move an order between them is <see cref="Order.After"/>.</summary>
public static class OrderStatus
{
    public const string Placed = "Placed";
    public const string StockReserved = "StockReserved";
    public const string PaymentCaptured = "PaymentCaptured";
    public const string Confirmed = "Confirmed";
    public const string Completed = "Completed";
    public const string Shipped = "Shipped";
    public const string ReturnRequested = "ReturnRequested";
    public const string ReturnReceived = "ReturnReceived";
    public const string Cancelled = "Cancelled";
    public const string Failed = "Failed";
    public const string Refunded = "Refunded";

    public static readonly IReadOnlyList<string> All =
        [Placed, StockReserved, PaymentCaptured, Confirmed, Completed, Shipped, ReturnRequested, ReturnReceived, Failed, Cancelled, Refunded];
}

public static class FailureReasons
{
    public const string OutOfStock = "OutOfStock";
    public const string PaymentDeclined = "PaymentDeclined";
    public const string PaymentTimeout = "PaymentTimeout";
    public const string StockCommitFailed = "StockCommitFailed";
    public const string ReservationExpired = "ReservationExpired";
}

public static class RefundReasons
{
    public const string CancelledAfterConfirmation = "CancelledAfterConfirmation";
    public const string CaptureAfterOrderClosed = "CaptureAfterOrderClosed";
    public const string Returned = "Returned";
    public const string StockCommitFailed = FailureReasons.StockCommitFailed;
}
