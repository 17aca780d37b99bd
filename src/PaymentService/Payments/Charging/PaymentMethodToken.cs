using System.Text.RegularExpressions;

namespace Shop.PaymentService.Payments.Charging;

/// <summary>
/// Shop handles payment method tokens only (pm_…, tok_…). Anything else — a card number typed into the field — is never
/// stored or sent to a provider: the ledger records a placeholder and the charge is declined.
/// </summary>
public static partial class PaymentMethodToken
{
    public const string Rejected = "(rejected: not a payment method token)";

    [GeneratedRegex("^(pm|tok|card|src)_[A-Za-z0-9_]{1,200}$")]
    private static partial Regex TokenPattern();

    public static bool IsToken(string? value) => value is not null && TokenPattern().IsMatch(value);
}
