using System.Security.Cryptography;
using System.Text;

namespace Shop.PaymentService.Providers;

/// <summary>
/// The default provider for `./shop run`: honours Stripe's test payment methods. pm_card_visa (and other pm_card_*
/// methods not listed below) succeed; pm_card_chargeDeclined and pm_card_insufficientFunds are declined. Two tokens
/// exist for timeout scenarios: pm_card_noAnswer stays pending for ever, pm_card_lateAnswer is pending at first and
/// captured when the service checks back (see ReconcilePaymentConsumer). Payment ids derive from the idempotency key,
/// so a repeated charge returns the same payment like Stripe would; the provider keeps no state.
/// </summary>
public sealed class SimulatedPaymentProvider : IPaymentProvider
{
    public const string NoAnswer = "pm_card_noAnswer";
    public const string LateAnswer = "pm_card_lateAnswer";
    const string NoAnswerPrefix = "pi_sim_noanswer_";
    const string LateAnswerPrefix = "pi_sim_late_";

    static readonly Dictionary<string, (string Reason, string Code)> Declines = new(StringComparer.Ordinal)
    {
        ["pm_card_chargeDeclined"] = ("Your card was declined.", "generic_decline"),
        ["pm_card_insufficientFunds"] = ("Your card has insufficient funds.", "insufficient_funds"),
        ["pm_card_visa_chargeDeclined"] = ("Your card was declined.", "generic_decline"),
    };

    public string Name => "simulated";

    public Task<ChargeResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken)
    {
        var key = Stable(request.IdempotencyKey);
        ChargeResult result = request.PaymentMethod switch
        {
            NoAnswer => new ChargeResult.Pending(NoAnswerPrefix + key, "processing"),
            LateAnswer => new ChargeResult.Pending(LateAnswerPrefix + key, "processing"),
            var method when Declines.TryGetValue(method, out var decline) => new ChargeResult.Declined(decline.Reason, decline.Code),
            var method when !method.StartsWith("pm_", StringComparison.Ordinal) => new ChargeResult.Declined("Unknown payment method.", "invalid_payment_method"),
            _ => new ChargeResult.Captured($"pi_sim_{key}"),
        };
        return Task.FromResult(result);
    }

    public Task<ChargeResult> CheckChargeAsync(string paymentId, CancellationToken cancellationToken) =>
        Task.FromResult<ChargeResult>(paymentId.StartsWith(NoAnswerPrefix, StringComparison.Ordinal)
            ? new ChargeResult.Pending(paymentId, "processing")
            : new ChargeResult.Captured(paymentId));

    public Task<RefundResult> RefundAsync(RefundRequest request, CancellationToken cancellationToken) =>
        Task.FromResult<RefundResult>(new RefundResult.Refunded($"re_sim_{Stable(request.IdempotencyKey)}"));

    static string Stable(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..24];
}
