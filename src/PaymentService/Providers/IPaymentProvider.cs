namespace Shop.PaymentService.Providers;

public record ChargeRequest(Guid OrderId, decimal Amount, string Currency, string PaymentMethod, string IdempotencyKey);

public abstract record ChargeResult
{
    public sealed record Captured(string PaymentId) : ChargeResult;
    public sealed record Declined(string Reason, string? DeclineCode) : ChargeResult;

    /// <summary>The provider has not decided yet (3-D Secure, processing): the answer comes by webhook or reconciliation.</summary>
    public sealed record Pending(string PaymentId, string ProviderStatus) : ChargeResult;
}

public record RefundRequest(Guid OrderId, string PaymentId, decimal Amount, string Currency, string IdempotencyKey);

public abstract record RefundResult
{
    public sealed record Refunded(string RefundId) : RefundResult;
    public sealed record Failed(string Reason) : RefundResult;

    /// <summary>Accepted but not settled yet; the provider reports the outcome later (Stripe: charge.refunded).</summary>
    public sealed record Pending(string RefundId) : RefundResult;
}

/// <summary>
/// The seam between Shop and whoever moves the money (simulated by default, Stripe when configured). Declines are
/// results; transport failures (5xx, network) are exceptions, so the message is retried with the same idempotency key.
/// </summary>
public interface IPaymentProvider
{
    string Name { get; }
    Task<ChargeResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken);

    /// <summary>The current outcome of a charge the provider left pending.</summary>
    Task<ChargeResult> CheckChargeAsync(string paymentId, CancellationToken cancellationToken);

    Task<RefundResult> RefundAsync(RefundRequest request, CancellationToken cancellationToken);
}
