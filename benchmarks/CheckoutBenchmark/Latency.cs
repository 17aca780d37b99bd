namespace Shop.Benchmarks.Checkout;

/// <summary>
/// Percentiles by nearest rank. Unfinished samples (orders still not terminal when the drain bound ran out) rank above
/// every finished one: a percentile that falls among them is unknown (null), only known to exceed the bound.
/// </summary>
public sealed record Latency(int Count, double? P50Ms, double? P99Ms, double? MaxMs, int Unfinished)
{
    public static Latency Of(IEnumerable<double> finishedMs, int unfinished = 0)
    {
        var sorted = finishedMs.Order().ToArray();
        var count = sorted.Length + unfinished;
        double? Rank(double quantile)
        {
            if (count == 0)
                return null;
            var index = (int)Math.Ceiling(quantile * count) - 1;
            return index < sorted.Length ? Math.Round(sorted[Math.Max(index, 0)], 1) : null;
        }
        return new Latency(count, Rank(0.50), Rank(0.99), unfinished > 0 || sorted.Length == 0 ? null : Math.Round(sorted[^1], 1), unfinished);
    }
}
