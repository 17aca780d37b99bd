using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Shop.Benchmarks.Checkout.Probes;

/// <summary>
/// The shop virtual host as RabbitMQ's management API reports it: queue depths and the count of published messages.
/// RabbitMQ refreshes these statistics every few seconds (collect_statistics_interval, 5 s by default), so a depth peak
/// shorter than that can be missed and a publish count read right after activity can trail it.
/// </summary>
public sealed class RabbitManagement : IDisposable
{
    readonly HttpClient _http;
    readonly string _vhost;

    public RabbitManagement(Uri management, Uri amqp)
    {
        var credentials = Uri.UnescapeDataString(amqp.UserInfo is { Length: > 0 } user ? user : "guest:guest");
        _http = new HttpClient { BaseAddress = management, Timeout = TimeSpan.FromSeconds(10) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        var path = amqp.AbsolutePath.TrimStart('/');
        _vhost = Uri.EscapeDataString(path.Length == 0 ? "/" : Uri.UnescapeDataString(path));
    }

    record Queue(string Name, long Messages);

    /// <summary>Messages in each queue (ready + unacknowledged).</summary>
    public async Task<IReadOnlyDictionary<string, long>> QueueDepthsAsync(CancellationToken cancellationToken)
    {
        var queues = await _http.GetFromJsonAsync<List<Queue>>($"api/queues/{_vhost}?columns=name,messages", ShopHttp.Json, cancellationToken);
        return (queues ?? []).ToDictionary(q => q.Name, q => q.Messages);
    }

    /// <summary>Messages published into the virtual host so far.</summary>
    public async Task<long> PublishedAsync(CancellationToken cancellationToken)
    {
        var vhost = await _http.GetFromJsonAsync<JsonElement>($"api/vhosts/{_vhost}?columns=message_stats", cancellationToken);
        return vhost.TryGetProperty("message_stats", out var stats) && stats.TryGetProperty("publish", out var publish) ? publish.GetInt64() : 0;
    }

    /// <summary>Samples queue depths every second until disposed and keeps each queue's peak.</summary>
    public PeakDepths WatchPeaks() => new(this);

    public void Dispose() => _http.Dispose();

    public sealed class PeakDepths : IAsyncDisposable
    {
        readonly Dictionary<string, long> _peaks = new();
        readonly CancellationTokenSource _stop = new();
        readonly Task _loop;

        public PeakDepths(RabbitManagement management) => _loop = Task.Run(() => LoopAsync(management, _stop.Token));

        public int FailedSamples { get; private set; }

        async Task LoopAsync(RabbitManagement management, CancellationToken cancellationToken)
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    foreach (var (queue, depth) in await management.QueueDepthsAsync(cancellationToken))
                        _peaks[queue] = Math.Max(depth, _peaks.GetValueOrDefault(queue));
                }
                catch (Exception) when (!cancellationToken.IsCancellationRequested)
                {
                    FailedSamples++;
                }
                await Task.Delay(1000, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        /// <summary>Stops sampling; each queue's peak, deepest first.</summary>
        public async Task<IReadOnlyDictionary<string, long>> StopAsync()
        {
            await _stop.CancelAsync();
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            return _peaks.OrderByDescending(p => p.Value).ThenBy(p => p.Key).ToDictionary(p => p.Key, p => p.Value);
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync();
            _stop.Dispose();
        }
    }
}
