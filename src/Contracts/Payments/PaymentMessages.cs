namespace Shop.Contracts.Payments;

// Commands, sent to PaymentService's queue. Idempotent by OrderId.

public record ChargePayment(Guid OrderId, Guid CustomerId, decimal Amount, string Currency, string PaymentMethod);

public record RefundPayment(Guid OrderId, decimal Amount, string Currency, string Reason);

// Events, published by PaymentService.

public record PaymentCaptured(Guid OrderId, string PaymentId, string Provider, decimal Amount, string Currency);

public record PaymentFailed(Guid OrderId, string Reason, string? DeclineCode);

public record PaymentRefunded(Guid OrderId, string RefundId, decimal Amount, string Currency);

public record RefundFailed(Guid OrderId, string Reason);
