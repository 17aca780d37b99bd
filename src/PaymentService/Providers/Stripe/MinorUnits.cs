namespace Shop.PaymentService.Providers.Stripe;

/// <summary>
/// Stripe takes amounts as integers in the currency's smallest unit: cents for EUR, but whole yen for JPY (a
/// "zero-decimal" currency) and thousandths for KWD.
/// </summary>
public static class MinorUnits
{
    static readonly HashSet<string> ZeroDecimal = new(StringComparer.OrdinalIgnoreCase)
    {
        "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF",
    };

    static readonly HashSet<string> ThreeDecimal = new(StringComparer.OrdinalIgnoreCase) { "BHD", "JOD", "KWD", "OMR", "TND" };

    public static int Exponent(string currency) => ZeroDecimal.Contains(currency) ? 0 : ThreeDecimal.Contains(currency) ? 3 : 2;

    /// <summary>False when the amount is negative or has more decimals than the currency has (12.50 JPY).</summary>
    public static bool TryToMinor(decimal amount, string currency, out long minor)
    {
        var scaled = amount * Factor(currency);
        minor = 0;
        if (amount < 0 || scaled != decimal.Truncate(scaled) || scaled > long.MaxValue)
            return false;
        minor = (long)scaled;
        return true;
    }

    public static decimal FromMinor(long minor, string currency) => minor / Factor(currency);

    static decimal Factor(string currency) => Exponent(currency) switch { 0 => 1m, 3 => 1000m, _ => 100m };
}
