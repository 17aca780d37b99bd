using Shop.Contracts.Orders;

namespace Shop.OrderSaga.Orders;

/// <summary>
/// An order as its event stream tells it, and the one owner of its rules (docs/ORDERS.md), written as a decider:
/// <see cref="After"/> (the decider's evolve, named so that Marten's source generator does not take this record for a
/// self-aggregating document) says how each event of the stream changes the order (the only definition of its status
/// transitions: the checkout saga, the <see cref="Projections.OrderDetails"/> view and the status relay all fold through
/// it), and the <c>Decide</c> functions answer what a person asks of it now (cancel, ship, return, goods received): the
/// events that follow, or why not. Pure: the time comes in as an argument, nothing is read or written.
/// <para>
/// The checkout saga is the process around it: it records the decided events and sends what they call for (release the
/// stock, refund, restock). The endpoints ask the same functions against the order view first, so a refusal is a 409
/// before anything is sent, and the API's Can* answers are these functions too (the web app keeps no rule of its own).
/// </para>
/// </summary>
/// <param name="Captured">What the payment captured (a late capture too: it is what a refund gives back).</param>
public sealed record Order(
    Guid Id, string Status, bool CancellationRequested, bool RefundRequested, DateTimeOffset? ShippedAt, DateTimeOffset? ReturnReceivedAt,
    decimal Captured)
{
    /// <summary>An order whose stream has not been read: no status yet.</summary>
    public static Order Unknown(Guid id) => new(id, "", false, false, null, null, 0m);

    /// <summary>The order after <paramref name="orderEvent"/>; events that only add to its timeline leave it as it was.</summary>
    public static Order After(Order order, object orderEvent) => orderEvent switch
    {
        OrderPlaced e => Unknown(e.OrderId) with { Status = OrderStatus.Placed },
        OrderStockReserved => order with { Status = OrderStatus.StockReserved },
        OrderPaymentCaptured { Late: true } e => order with { Captured = e.Amount },
        OrderPaymentCaptured e => order with { Status = OrderStatus.PaymentCaptured, Captured = e.Amount },
        OrderConfirmed => order with { Status = OrderStatus.Confirmed },
        OrderCompleted => order with { Status = OrderStatus.Completed },
        OrderShipped e => order with { Status = OrderStatus.Shipped, ShippedAt = e.At },
        OrderReturnRequested => order with { Status = OrderStatus.ReturnRequested },
        OrderReturnReceived e => order with { Status = OrderStatus.ReturnReceived, ReturnReceivedAt = e.At },
        OrderFailed => order with { Status = OrderStatus.Failed },
        OrderCancellationRequested => order with { CancellationRequested = true },
        OrderCancelled => order with { Status = OrderStatus.Cancelled },
        OrderRefundRequested => order with { RefundRequested = true },
        // Refunding a confirmed (not yet shipped) or returned order is the order's outcome; refunds compensating a
        // failure keep Failed/Cancelled.
        OrderRefundIssued when order.Status is OrderStatus.Confirmed or OrderStatus.Completed or OrderStatus.ReturnReceived =>
            order with { Status = OrderStatus.Refunded },
        // The cancel (or return) did not go through: it can be asked again to retry the refund.
        OrderRefundFailed => order with { CancellationRequested = false, RefundRequested = false },
        _ => order,
    };

    /// <summary>Whether the status after <paramref name="orderEvent"/> depends on the order before it (a reader that
    /// starts mid-stream must fold the earlier events first).</summary>
    public static bool DependsOnHistory(object orderEvent) => orderEvent is OrderRefundIssued;

    /// <summary>
    /// Cancel freely until the order ships. Before payment it is cancelled at once (the saga releases the stock); after
    /// confirmation the money goes back (and then the units). PaymentCaptured without Confirmed is an order captured
    /// before the saga confirmed at capture time, whose stock commit is in flight: the request waits for the commit's outcome.
    /// </summary>
    public static OrderDecision Decide(Order order, CancelOrder command, DateTimeOffset now)
    {
        if (CancelRefusal(order) is { } refused)
            return OrderDecision.Refuse(refused);
        var requested = new OrderCancellationRequested(order.Id, command.RequestedBy, command.Reason, now);
        return order.Status switch
        {
            OrderStatus.Placed or OrderStatus.StockReserved => OrderDecision.Accept(new OrderCancelled(order.Id, command.Reason, now)),
            OrderStatus.PaymentCaptured => OrderDecision.Accept(requested),
            _ => OrderDecision.Accept(requested, new OrderRefundRequested(order.Id, order.Captured, RefundReasons.CancelledAfterConfirmation, now)),
        };
    }

    public static string? CancelRefusal(Order order)
    {
        if (order.Status is OrderStatus.Shipped or OrderStatus.ReturnRequested or OrderStatus.ReturnReceived)
            return "The order has shipped and can no longer be cancelled; ask for a return instead.";
        if (order.Status is not (OrderStatus.Placed or OrderStatus.StockReserved or OrderStatus.PaymentCaptured or OrderStatus.Confirmed
            or OrderStatus.Completed))
            return $"An order in status {order.Status} can no longer be cancelled.";
        if (order.CancellationRequested || order.RefundRequested)
            return "A cancellation of this order is already under way.";
        return null;
    }

    /// <summary>Only a confirmed order that nobody is cancelling can leave the warehouse.</summary>
    public static OrderDecision Decide(Order order, ShipOrder command, DateTimeOffset now) =>
        ShipRefusal(order) is { } refused
            ? OrderDecision.Refuse(refused)
            : OrderDecision.Accept(new OrderShipped(order.Id, command.RequestedBy, command.TrackingReference, now));

    public static string? ShipRefusal(Order order)
    {
        if (order.Status is not (OrderStatus.Confirmed or OrderStatus.Completed))
            return $"An order in status {order.Status} cannot be shipped; only a confirmed order can.";
        if (order.CancellationRequested || order.RefundRequested)
            return "The order is being cancelled and cannot be shipped.";
        return null;
    }

    /// <summary>A shipped order goes back within <paramref name="returnWindow"/> after shipping.</summary>
    public static OrderDecision Decide(Order order, RequestReturn command, DateTimeOffset now, TimeSpan returnWindow) =>
        ReturnRefusal(order, now, returnWindow) is { } refused
            ? OrderDecision.Refuse(refused)
            : OrderDecision.Accept(new OrderReturnRequested(order.Id, command.RequestedBy, command.Reason, now));

    public static string? ReturnRefusal(Order order, DateTimeOffset now, TimeSpan returnWindow)
    {
        if (order.Status is OrderStatus.ReturnRequested or OrderStatus.ReturnReceived)
            return "A return of this order is already under way.";
        if (order.Status != OrderStatus.Shipped || order.ShippedAt is not { } shippedAt)
            return $"An order in status {order.Status} cannot be returned; only a shipped order can (before that, cancel it).";
        if (now - shippedAt > returnWindow)
            return $"The return window of {returnWindow.TotalDays:0.#} days after shipping ended on {shippedAt + returnWindow:yyyy-MM-dd}.";
        return null;
    }

    /// <summary>
    /// The goods of a requested return arrived: the refund runs. Recording them again is allowed only to retry a refund
    /// that failed (the order stays ReturnReceived with no refund under way).
    /// </summary>
    public static OrderDecision Decide(Order order, RecordReturnReceived command, DateTimeOffset now)
    {
        if (ReturnReceivedRefusal(order) is { } refused)
            return OrderDecision.Refuse(refused);
        var refund = new OrderRefundRequested(order.Id, order.Captured, RefundReasons.Returned, now);
        return order.Status == OrderStatus.ReturnRequested
            ? OrderDecision.Accept(new OrderReturnReceived(order.Id, command.RequestedBy, now), refund)
            : OrderDecision.Accept(refund);
    }

    public static string? ReturnReceivedRefusal(Order order) => order.Status switch
    {
        OrderStatus.ReturnRequested => null,
        OrderStatus.ReturnReceived when !order.RefundRequested => null,
        OrderStatus.ReturnReceived => "The returned goods are already recorded and the refund is under way.",
        _ => $"An order in status {order.Status} has no return to receive; the customer asks for a return first.",
    };
}

/// <summary>What a decision gives: the order's new events, or why the request is refused (then no events).</summary>
public sealed record OrderDecision(IReadOnlyList<object> Events, string? Refusal)
{
    public bool Accepted => Refusal is null;

    public static OrderDecision Accept(params object[] events) => new(events, null);

    public static OrderDecision Refuse(string why) => new([], why);
}
