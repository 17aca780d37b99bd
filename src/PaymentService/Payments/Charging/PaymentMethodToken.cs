using Shop.BuildingBlocks.Payments;

namespace Shop.PaymentService.Payments.Charging;

/// <summary>
/// Shop handles payment method tokens only (<see cref="PaymentMethodTokens"/>, the rule checkout enforces). Anything else
/// that still arrives here — a card number in a message from before checkout refused it — is never stored or sent to a
/// provider: the ledger records a placeholder and the charge is declined.
/// </summary>
public static class PaymentMethodToken
{
    public const string Rejected = "(rejected: not a payment method token)";

    public static bool IsToken(string? value) => PaymentMethodTokens.IsToken(value);
}
