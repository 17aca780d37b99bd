using Shop.OrderSaga.Orders.Projections;

namespace Shop.OrderSaga.Orders;

/// <summary>
/// What a customer (or an admin) may ask of an order now: the one definition, used by the endpoints to refuse and by the
/// order API to say what is allowed (canCancel, canRequestReturn, canShip, canRecordReturnReceived), so the web app keeps
/// no copy of the rules. Pure: the order's status and a few facts in, an answer out. The saga decides again against its
/// own, newest state (and the return window through <see cref="WithinReturnWindow"/>); this is the first gate.
/// The policy (docs/ORDERS.md): cancel freely until the order ships; after that the customer asks for a return within
/// the return window, an admin records the goods received, and only then is the order refunded and its units restocked.
/// </summary>
public static class OrderActions
{
    /// <summary>Before confirmation a cancel releases the stock (and refunds a capture); after it, it refunds and restocks.</summary>
    static readonly HashSet<string> CancellableStatuses =
        [OrderStatus.Placed, OrderStatus.StockReserved, OrderStatus.PaymentCaptured, OrderStatus.Confirmed, OrderStatus.Completed];

    static readonly HashSet<string> ShippedStatuses = [OrderStatus.Shipped, OrderStatus.ReturnRequested, OrderStatus.ReturnReceived];

    /// <summary>Why the order cannot be cancelled now, or null when it can.</summary>
    public static string? CancelRefusal(string status, bool cancellationRequested, bool refundRequested)
    {
        if (ShippedStatuses.Contains(status))
            return "The order has shipped and can no longer be cancelled; ask for a return instead.";
        if (!CancellableStatuses.Contains(status))
            return $"An order in status {status} can no longer be cancelled.";
        if (cancellationRequested || refundRequested)
            return "A cancellation of this order is already under way.";
        return null;
    }

    public static string? CancelRefusal(OrderDetails order) =>
        CancelRefusal(order.Status, order.CancellationRequested, order.RefundRequested);

    public static bool CanCancel(OrderDetails order) => CancelRefusal(order) is null;

    /// <summary>Only a confirmed order that nobody is cancelling can leave the warehouse.</summary>
    public static string? ShipRefusal(OrderDetails order)
    {
        if (order.Status is not (OrderStatus.Confirmed or OrderStatus.Completed))
            return $"An order in status {order.Status} cannot be shipped; only a confirmed order can.";
        if (order.CancellationRequested || order.RefundRequested)
            return "The order is being cancelled and cannot be shipped.";
        return null;
    }

    public static bool WithinReturnWindow(DateTimeOffset shippedAt, DateTimeOffset now, TimeSpan returnWindow) =>
        now - shippedAt <= returnWindow;

    public static string? ReturnRefusal(OrderDetails order, DateTimeOffset now, TimeSpan returnWindow)
    {
        if (order.Status == OrderStatus.ReturnRequested || order.Status == OrderStatus.ReturnReceived)
            return "A return of this order is already under way.";
        if (order.Status != OrderStatus.Shipped || order.ShippedAt is not { } shippedAt)
            return $"An order in status {order.Status} cannot be returned; only a shipped order can (before that, cancel it).";
        if (!WithinReturnWindow(shippedAt, now, returnWindow))
            return $"The return window of {returnWindow.TotalDays:0.#} days after shipping ended on {shippedAt + returnWindow:yyyy-MM-dd}.";
        return null;
    }

    /// <summary>
    /// The goods of a requested return arrived; recording it again is allowed only to retry a refund that failed (the
    /// order stays ReturnReceived with no refund under way).
    /// </summary>
    public static string? ReturnReceivedRefusal(OrderDetails order) => order.Status switch
    {
        OrderStatus.ReturnRequested => null,
        OrderStatus.ReturnReceived when !order.RefundRequested => null,
        OrderStatus.ReturnReceived => "The returned goods are already recorded and the refund is under way.",
        _ => $"An order in status {order.Status} has no return to receive; the customer asks for a return first.",
    };
}
