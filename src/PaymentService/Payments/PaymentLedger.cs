namespace Shop.PaymentService.Payments;

public enum PaymentStatus { Pending, Captured, Declined, Refunded }

// The ledger of one order's payment (stream id = order id). Tokens and provider ids only: never card data.

public record PaymentRequested(Guid OrderId, Guid CustomerId, decimal Amount, string Currency, string PaymentMethod, string Provider, DateTimeOffset At);

public record PaymentCaptured(Guid OrderId, string PaymentId, decimal Amount, DateTimeOffset At);

public record PaymentDeclined(Guid OrderId, string Reason, string? DeclineCode, DateTimeOffset At);

public record RefundRequested(Guid OrderId, decimal Amount, string Reason, DateTimeOffset At);

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
    public string? DeclineReason { get; set; }
    public string? DeclineCode { get; set; }
    public decimal Refunded { get; set; }
    public List<string> RefundIds { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public long Version { get; set; }

    public static PaymentLedger Create(PaymentRequested e) => new()
    {
        Id = e.OrderId, CustomerId = e.CustomerId, Amount = e.Amount, Currency = e.Currency, PaymentMethod = e.PaymentMethod,
        Provider = e.Provider, Status = PaymentStatus.Pending, CreatedAt = e.At, UpdatedAt = e.At,
    };

    public void Apply(PaymentCaptured e)
    {
        Status = PaymentStatus.Captured;
        PaymentId = e.PaymentId;
        UpdatedAt = e.At;
    }

    public void Apply(PaymentDeclined e)
    {
        Status = PaymentStatus.Declined;
        DeclineReason = e.Reason;
        DeclineCode = e.DeclineCode;
        UpdatedAt = e.At;
    }

    public void Apply(RefundRequested e) => UpdatedAt = e.At;

    public void Apply(PaymentRefunded e)
    {
        Refunded += e.Amount;
        RefundIds.Add(e.RefundId);
        if (Refunded >= Amount)
            Status = PaymentStatus.Refunded;
        UpdatedAt = e.At;
    }
}
