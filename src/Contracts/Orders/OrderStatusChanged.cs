namespace Shop.Contracts.Orders;

/// <summary>
/// The order moved to another status (Placed, StockReserved, PaymentCaptured, Confirmed, Completed, Failed, Cancelled,
/// Refunded): live updates for whoever follows the order. Relayed from the order stream in stream order; Version is the
/// order stream's version that made the change. The same change is always published with the same message id.
/// </summary>
public record OrderStatusChanged(Guid OrderId, Guid CustomerId, string Status, string? PreviousStatus, long Version, DateTimeOffset At);
