namespace Shop.Contracts.Orders;

/// <summary>Who the order belongs to and what it holds; carried by order events so consumers need no lookup.</summary>
public record OrderSummary(
    Guid CustomerId, string CustomerEmail, string CustomerName, IReadOnlyList<OrderLine> Lines, decimal Total, string Currency);

// Commands, sent to the order saga's own queue by the order API.

public record CancelOrder(Guid OrderId, Guid RequestedBy, string Reason);

/// <summary>The goods left the warehouse (an admin or a fulfilment step says so): from now on a cancel is a return.</summary>
public record ShipOrder(Guid OrderId, Guid RequestedBy, string? TrackingReference);

/// <summary>The customer asks to send a shipped order back (within the return window).</summary>
public record RequestReturn(Guid OrderId, Guid RequestedBy, string Reason);

/// <summary>An admin records that the returned goods arrived: the refund runs, then the units are restocked.</summary>
public record RecordReturnReceived(Guid OrderId, Guid RequestedBy);

// Events, published by the order saga.

public record OrderConfirmed(Guid OrderId, OrderSummary Order, DateTimeOffset ConfirmedAt);

public record OrderCompleted(Guid OrderId, DateTimeOffset CompletedAt);

/// <summary>The order could not be fulfilled. Reason is one of OutOfStock, PaymentDeclined, PaymentTimeout, ...</summary>
public record OrderFailed(Guid OrderId, OrderSummary Order, string Reason, string? Detail, DateTimeOffset FailedAt);

public record OrderCancelled(Guid OrderId, OrderSummary Order, string Reason, DateTimeOffset CancelledAt);

public record OrderShipped(Guid OrderId, OrderSummary Order, string? TrackingReference, DateTimeOffset ShippedAt);

public record OrderReturnRequested(Guid OrderId, OrderSummary Order, string Reason, DateTimeOffset RequestedAt);

public record OrderRefunded(Guid OrderId, OrderSummary Order, decimal Amount, DateTimeOffset RefundedAt);
