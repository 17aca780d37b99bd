namespace Shop.Contracts.Orders;

/// <summary>Who the order belongs to and what it holds; carried by order events so consumers need no lookup.</summary>
public record OrderSummary(
    Guid CustomerId, string CustomerEmail, string CustomerName, IReadOnlyList<OrderLine> Lines, decimal Total, string Currency);

// Command, sent to the order saga's own queue by the order API.

public record CancelOrder(Guid OrderId, Guid RequestedBy, string Reason);

// Events, published by the order saga.

public record OrderConfirmed(Guid OrderId, OrderSummary Order, DateTimeOffset ConfirmedAt);

public record OrderCompleted(Guid OrderId, DateTimeOffset CompletedAt);

/// <summary>The order could not be fulfilled. Reason is one of OutOfStock, PaymentDeclined, PaymentTimeout, ...</summary>
public record OrderFailed(Guid OrderId, OrderSummary Order, string Reason, string? Detail, DateTimeOffset FailedAt);

public record OrderCancelled(Guid OrderId, OrderSummary Order, string Reason, DateTimeOffset CancelledAt);

public record OrderRefunded(Guid OrderId, OrderSummary Order, decimal Amount, DateTimeOffset RefundedAt);
