using System.Security.Cryptography;
using System.Text;

namespace Shop.PaymentService.Providers;

/// <summary>
/// The default provider for `./shop run`: honours Stripe's test payment methods. pm_card_visa (and other pm_card_*
/// methods not listed below) succeed; pm_card_chargeDeclined and pm_card_insufficientFunds are declined. Payment ids
/// derive from the idempotency key, so a repeated charge returns the same payment like Stripe would.
/// </summary>
public sealed class SimulatedPaymentProvider : IPaymentProvider
{
    static readonly Dictionary<string, (string Reason, string Code)> Declines = new(StringComparer.Ordinal)
    {
        ["pm_card_chargeDeclined"] = ("Your card was declined.", "generic_decline"),
        ["pm_card_insufficientFunds"] = ("Your card has insufficient funds.", "insufficient_funds"),
        ["pm_card_visa_chargeDeclined"] = ("Your card was declined.", "generic_decline"),
    };

    public string Name => "simulated";

    public Task<ChargeResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken)
    {
        if (Declines.TryGetValue(request.PaymentMethod, out var decline))
            return Task.FromResult<ChargeResult>(new ChargeResult.Declined(decline.Reason, decline.Code));
        if (!request.PaymentMethod.StartsWith("pm_", StringComparison.Ordinal))
            return Task.FromResult<ChargeResult>(new ChargeResult.Declined("Unknown payment method.", "invalid_payment_method"));
        return Task.FromResult<ChargeResult>(new ChargeResult.Captured($"pi_sim_{Stable(request.IdempotencyKey)}"));
    }

    public Task<RefundResult> RefundAsync(RefundRequest request, CancellationToken cancellationToken) =>
        Task.FromResult<RefundResult>(new RefundResult.Refunded($"re_sim_{Stable(request.IdempotencyKey)}"));

    static string Stable(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..24];
}
