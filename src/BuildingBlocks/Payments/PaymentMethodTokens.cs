using System.Text.RegularExpressions;

namespace Shop.BuildingBlocks.Payments;

/// <summary>
/// Shop takes payment methods as the provider's tokens only: pm_… (Stripe PaymentMethods and the simulated test cards),
/// and Stripe's older tok_…, card_… and src_… ids. Anything else — a card number, an expiry date, a CVC typed into the
/// field — is refused at checkout before it is stored or sent anywhere. A "token" that hides a card number (a run of 13
/// to 19 digits that passes the Luhn check, as in pm_4111111111111111) is refused too: provider ids never carry one.
/// </summary>
public static partial class PaymentMethodTokens
{
    public const int MaxLength = 100;

    /// <summary>What replaces a stored payment method that is not a token (see the masking of old events and documents).</summary>
    public const string Masked = "(removed: not a payment method token)";

    /// <summary>What clients are told when they send something else.</summary>
    public const string Requirement =
        "paymentMethod must be a payment method token from the payment provider (pm_..., e.g. pm_card_visa); card numbers and other card details are never accepted.";

    [GeneratedRegex("^(pm|tok|card|src)_[A-Za-z0-9_]{1,96}$", RegexOptions.CultureInvariant)]
    private static partial Regex TokenPattern();

    [GeneratedRegex("[0-9]{13,19}", RegexOptions.CultureInvariant)]
    private static partial Regex DigitRun();

    public static bool IsToken(string? value) =>
        value is { Length: <= MaxLength } && TokenPattern().IsMatch(value) && !HidesCardNumber(value);

    static bool HidesCardNumber(string value)
    {
        foreach (Match run in DigitRun().Matches(value))
        {
            // Any 13..19-digit window of the run that passes Luhn is a plausible card number.
            for (var length = 13; length <= Math.Min(19, run.Length); length++)
                for (var start = 0; start + length <= run.Length; start++)
                    if (PassesLuhn(run.ValueSpan.Slice(start, length)))
                        return true;
        }
        return false;
    }

    static bool PassesLuhn(ReadOnlySpan<char> digits)
    {
        var sum = 0;
        var doubled = false;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            var digit = digits[i] - '0';
            if (doubled && (digit *= 2) > 9)
                digit -= 9;
            sum += digit;
            doubled = !doubled;
        }
        return sum % 10 == 0;
    }

    /// <summary>The value if it is a token, otherwise <see cref="Masked"/>.</summary>
    public static string MaskUnlessToken(string value) => IsToken(value) ? value : Masked;
}
