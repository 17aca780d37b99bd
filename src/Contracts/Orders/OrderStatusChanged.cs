namespace Shop.Contracts.Orders;

/// <summary>
/// An order moved to another status (Placed, StockReserved, PaymentCaptured, Confirmed, Completed, Shipped,
/// ReturnRequested, ReturnReceived, Failed, Cancelled, Refunded). Version is the order stream's version that made the change: a follower that already has it skips it.
/// </summary>
public record OrderStatusChanged(Guid OrderId, Guid CustomerId, string Status, long Version, DateTimeOffset At);

/// <summary>
/// Status changes of any number of orders, relayed together from the order streams in stream order (one message per
/// page of events the order service's relay reads): live updates for whoever follows orders, at one message per page
/// instead of one per change. The same page always gets the same message id; a rewound relay may cut pages differently,
/// so followers recognise changes they already have by (order, version).
/// </summary>
public record OrderStatusesChanged(IReadOnlyList<OrderStatusChanged> Changes);
