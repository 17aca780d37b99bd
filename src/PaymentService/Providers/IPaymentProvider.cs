namespace Shop.PaymentService.Providers;

public record ChargeRequest(Guid OrderId, decimal Amount, string Currency, string PaymentMethod, string IdempotencyKey);

public abstract record ChargeResult
{
    public sealed record Captured(string PaymentId) : ChargeResult;
    public sealed record Declined(string Reason, string? DeclineCode) : ChargeResult;
}

public record RefundRequest(Guid OrderId, string PaymentId, decimal Amount, string Currency, string IdempotencyKey);

public abstract record RefundResult
{
    public sealed record Refunded(string RefundId) : RefundResult;
    public sealed record Failed(string Reason) : RefundResult;
}

/// <summary>The seam between Shop and whoever moves the money (simulated by default, Stripe when configured).</summary>
public interface IPaymentProvider
{
    string Name { get; }
    Task<ChargeResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken);
    Task<RefundResult> RefundAsync(RefundRequest request, CancellationToken cancellationToken);
}
