using System.Diagnostics;

namespace Shop.Benchmarks.Checkout;

/// <summary>
/// A kind of read request: its name in the report, its route, the ./shop service that answers it behind the gateway, and
/// the i-th request (path, as whom; null: anonymous).
/// </summary>
public sealed record ReadTarget(string Name, string Route, string Service, Func<int, (string Path, Account? As)> Request);

/// <summary>
/// Fixed concurrency: each connection sends its next request when the previous one answered, for a fixed time. The first
/// tenth is left out of the rate and the latencies (connections opening, caches filling); errors count throughout.
/// </summary>
public static class ClosedLoop
{
    /// <param name="via">"gateway", or "direct" when <paramref name="http"/> talks to the service itself</param>
    public static async Task<ReadResult> RunAsync(ShopHttp http, ReadTarget target, string via, int connections, TimeSpan length, Action<double> progressed,
        CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var warmupEnd = start + (long)(length.TotalSeconds * 0.1 * Stopwatch.Frequency);
        var end = start + (long)(length.TotalSeconds * Stopwatch.Frequency);
        var latencies = new List<double>[connections];
        var errors = new long[connections];
        var sequence = 0;

        async Task Connection(int index)
        {
            var mine = latencies[index] = [];
            while (Stopwatch.GetTimestamp() < end)
            {
                var (path, account) = target.Request(Interlocked.Increment(ref sequence));
                var sent = Stopwatch.GetTimestamp();
                var ok = false;
                try
                {
                    using var response = await http.SendAsync(HttpMethod.Get, path, account, cancellationToken);
                    ok = response.IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                }
                catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // HttpClient's timeout: an error like any other.
                }
                if (!ok)
                    errors[index]++;
                else if (sent >= warmupEnd)
                    mine.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                if (index == 0)
                    progressed(Math.Min(1, (double)(Stopwatch.GetTimestamp() - start) / (end - start)));
            }
        }

        await Task.WhenAll(Enumerable.Range(0, connections).Select(i => Task.Run(() => Connection(i), cancellationToken)));
        var measured = (end - warmupEnd) / (double)Stopwatch.Frequency;
        var all = latencies.SelectMany(l => l).ToList();
        var latency = Latency.Of(all);
        return new ReadResult(target.Name, target.Route, via, connections, Math.Round(measured, 1), all.Count, errors.Sum(),
            Math.Round(all.Count / measured, 1), latency.P50Ms, latency.P99Ms);
    }
}
