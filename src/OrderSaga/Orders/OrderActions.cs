using Shop.OrderSaga.Orders.Projections;

namespace Shop.OrderSaga.Orders;

/// <summary>
/// What a customer (or an admin) may ask of an order now: the one definition, used by the cancel endpoint to refuse
/// and by the order API to say what is allowed (canCancel), so the web app keeps no copy of the rule. Pure: a status and
/// two flags in, an answer out. The saga still decides against its own, newest state; this is the first gate.
/// </summary>
public static class OrderActions
{
    /// <summary>Before confirmation a cancel releases the stock (and refunds a capture); after it, it refunds.</summary>
    static readonly HashSet<string> CancellableStatuses =
        [OrderStatus.Placed, OrderStatus.StockReserved, OrderStatus.PaymentCaptured, OrderStatus.Confirmed, OrderStatus.Completed];

    /// <summary>Why the order cannot be cancelled now, or null when it can.</summary>
    public static string? CancelRefusal(string status, bool cancellationRequested, bool refundRequested)
    {
        if (!CancellableStatuses.Contains(status))
            return $"An order in status {status} can no longer be cancelled.";
        if (cancellationRequested || refundRequested)
            return "A cancellation of this order is already under way.";
        return null;
    }

    public static string? CancelRefusal(OrderDetails order) =>
        CancelRefusal(order.Status, order.CancellationRequested, order.RefundRequested);

    public static bool CanCancel(OrderDetails order) => CancelRefusal(order) is null;
}
