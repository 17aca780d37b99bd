using Shop.Contracts.Orders;

namespace Shop.NotificationService.Notifications.Templates;

/// <summary>What the customer is told about an order: one per order event kind, whatever the channel.</summary>
public sealed record OrderNotice(
    string Kind, Guid OrderId, OrderSummary Order, string Status, string? Reason = null, string? Detail = null, decimal? RefundedAmount = null)
{
    /// <summary>
    /// The short order number customers see: the last 8 hex digits of the order id. Order ids are version-7 GUIDs, whose
    /// leading digits are a timestamp shared by every order of the same minute; the trailing ones are random.
    /// </summary>
    public string OrderNumber => OrderId.ToString("N")[^8..].ToUpperInvariant();

    public static OrderNotice From(OrderConfirmed e) => new(nameof(OrderConfirmed), e.OrderId, e.Order, "Confirmed");

    public static OrderNotice From(OrderFailed e) => new(nameof(OrderFailed), e.OrderId, e.Order, "Failed", e.Reason, e.Detail);

    public static OrderNotice From(OrderCancelled e) => new(nameof(OrderCancelled), e.OrderId, e.Order, "Cancelled", e.Reason);

    /// <summary>Detail carries the tracking reference, when the shipment has one.</summary>
    public static OrderNotice From(OrderShipped e) => new(nameof(OrderShipped), e.OrderId, e.Order, "Shipped", Detail: e.TrackingReference);

    public static OrderNotice From(OrderRefunded e) => new(nameof(OrderRefunded), e.OrderId, e.Order, "Refunded", RefundedAmount: e.Amount);
}
