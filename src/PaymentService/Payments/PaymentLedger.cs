namespace Shop.PaymentService.Payments;

public enum PaymentStatus { Pending, Captured, Declined, Refunded }

// The ledger of one order's payment (stream id = order id). Tokens and provider ids only: never card data.

public record PaymentRequested(Guid OrderId, Guid CustomerId, decimal Amount, string Currency, string PaymentMethod, string Provider, DateTimeOffset At);

public record PaymentCaptured(Guid OrderId, string PaymentId, decimal Amount, DateTimeOffset At);

public record PaymentDeclined(Guid OrderId, string Reason, string? DeclineCode, DateTimeOffset At);

/// <summary>The provider took the charge but has not decided yet (3-D Secure, processing).</summary>
public record PaymentPending(Guid OrderId, string PaymentId, string ProviderStatus, DateTimeOffset At);

public record RefundRequested(Guid OrderId, decimal Amount, string Reason, DateTimeOffset At);

public record RefundPending(Guid OrderId, string RefundId, decimal Amount, DateTimeOffset At);

public record PaymentRefunded(Guid OrderId, string RefundId, decimal Amount, DateTimeOffset At);

public partial class PaymentLedger
{
    public Guid Id { get; set; }
    public Guid CustomerId { get; set; }
    public decimal Amount { get; set; }
    public string Currency { get; set; } = "";
    public string PaymentMethod { get; set; } = "";
    public string Provider { get; set; } = "";
    public PaymentStatus Status { get; set; }
    public string? PaymentId { get; set; }
    public string? ProviderStatus { get; set; }
    public string? DeclineReason { get; set; }
    public string? DeclineCode { get; set; }
    public decimal Refunded { get; set; }
    public List<string> RefundIds { get; set; } = [];
    public Dictionary<string, decimal> PendingRefunds { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public long Version { get; set; }

    public decimal PendingRefundAmount => PendingRefunds.Values.Sum();

    public static PaymentLedger Create(PaymentRequested e) => new()
    {
        Id = e.OrderId, CustomerId = e.CustomerId, Amount = e.Amount, Currency = e.Currency, PaymentMethod = e.PaymentMethod,
        Provider = e.Provider, Status = PaymentStatus.Pending, CreatedAt = e.At, UpdatedAt = e.At,
    };

    public void Apply(PaymentPending e)
    {
        PaymentId = e.PaymentId;
        ProviderStatus = e.ProviderStatus;
        UpdatedAt = e.At;
    }

    public void Apply(PaymentCaptured e)
    {
        Status = PaymentStatus.Captured;
        PaymentId = e.PaymentId;
        ProviderStatus = null;
        UpdatedAt = e.At;
    }

    public void Apply(PaymentDeclined e)
    {
        Status = PaymentStatus.Declined;
        DeclineReason = e.Reason;
        DeclineCode = e.DeclineCode;
        ProviderStatus = null;
        UpdatedAt = e.At;
    }

    public void Apply(RefundRequested e) => UpdatedAt = e.At;

    public void Apply(RefundPending e)
    {
        PendingRefunds[e.RefundId] = e.Amount;
        UpdatedAt = e.At;
    }

    public void Apply(PaymentRefunded e)
    {
        Refunded += e.Amount;
        RefundIds.Add(e.RefundId);
        PendingRefunds.Remove(e.RefundId);
        if (Refunded >= Amount)
            Status = PaymentStatus.Refunded;
        UpdatedAt = e.At;
    }
}
