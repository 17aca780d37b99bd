using System.Net;
using System.Net.Http.Json;

namespace Shop.Benchmarks.Checkout;

/// <summary>An accepted checkout, until its order reaches a terminal status; then the times its timeline recorded.</summary>
public sealed class TrackedOrder(Guid id, Account customer, DateTimeOffset acceptedAt)
{
    public Guid Id { get; } = id;
    public Account Customer { get; } = customer;

    /// <summary>When the checkout answered 202 (the benchmark's clock, the same machine's as the services').</summary>
    public DateTimeOffset AcceptedAt { get; } = acceptedAt;

    /// <summary>The timeline's Placed: the moment the cart committed the checkout.</summary>
    public DateTimeOffset? PlacedAt { get; private set; }

    /// <summary>The timeline's first terminal entry (Completed, Failed or Cancelled).</summary>
    public DateTimeOffset? TerminalAt { get; private set; }

    public string? Status { get; private set; }
    public string? FailureReason { get; private set; }

    public bool IsTerminal => Volatile.Read(ref _terminal);
    public bool IsCompleted => IsTerminal && Status == "Completed";

    /// <summary>Checkout to terminal, from the order's own timeline: polling granularity does not enter it.</summary>
    public TimeSpan? Latency => TerminalAt - PlacedAt;

    internal TimeSpan NextPoll { get; set; } = OrderTracker.FirstPoll;

    bool _terminal;

    internal void Finish(DateTimeOffset placedAt, DateTimeOffset terminalAt, string status, string? failureReason)
    {
        PlacedAt = placedAt;
        TerminalAt = terminalAt;
        Status = status;
        FailureReason = failureReason;
        Volatile.Write(ref _terminal, true);
    }
}

/// <summary>
/// Polls each accepted order (GET /api/orders/{id}, as its customer) until its status is terminal, backing off from one
/// to four seconds: latencies come from the timeline, so sparse polls lose no precision and load the system little.
/// </summary>
public sealed class OrderTracker(ShopHttp http) : IAsyncDisposable
{
    public static readonly TimeSpan FirstPoll = TimeSpan.FromSeconds(1);
    static readonly TimeSpan LastPoll = TimeSpan.FromSeconds(4);
    static readonly string[] TerminalStatuses = ["Completed", "Failed", "Cancelled"];
    const int PollsInFlight = 8;

    record TimelineEntry(string Status, DateTimeOffset At);
    record OrderView(string Status, string? FailureReason, List<TimelineEntry> Timeline);

    readonly PriorityQueue<TrackedOrder, DateTimeOffset> _due = new();
    readonly SemaphoreSlim _slots = new(PollsInFlight, PollsInFlight);
    readonly CancellationTokenSource _stop = new();
    Task? _loop;
    long _polls;
    long _pollErrors;

    /// <summary>Order GETs sent so far (part of the system's load: reported per step).</summary>
    public long Polls => Interlocked.Read(ref _polls);

    public long PollErrors => Interlocked.Read(ref _pollErrors);

    public void Start() => _loop = Task.Run(() => LoopAsync(_stop.Token));

    public TrackedOrder Track(Guid orderId, Account customer, DateTimeOffset acceptedAt)
    {
        var order = new TrackedOrder(orderId, customer, acceptedAt);
        Schedule(order, acceptedAt + order.NextPoll);
        return order;
    }

    void Schedule(TrackedOrder order, DateTimeOffset at)
    {
        lock (_due)
            _due.Enqueue(order, at);
    }

    async Task LoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            TrackedOrder? next = null;
            lock (_due)
            {
                if (_due.TryPeek(out var order, out var at) && at <= DateTimeOffset.UtcNow)
                    next = _due.Dequeue();
            }
            if (next is null)
            {
                await Task.Delay(50, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                continue;
            }
            await _slots.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (cancellationToken.IsCancellationRequested)
                break;
            _ = PollAsync(next, cancellationToken);
        }
    }

    async Task PollAsync(TrackedOrder order, CancellationToken cancellationToken)
    {
        try
        {
            Interlocked.Increment(ref _polls);
            using var response = await http.SendAsync(HttpMethod.Get, $"api/orders/{order.Id}", order.Customer, cancellationToken);
            // 404: the order view is an async projection and may trail the checkout by a moment.
            if (response.StatusCode != HttpStatusCode.NotFound)
            {
                await ShopHttp.EnsureSuccessAsync(response, cancellationToken);
                var view = (await response.Content.ReadFromJsonAsync<OrderView>(ShopHttp.Json, cancellationToken))!;
                var terminal = view.Timeline.FirstOrDefault(t => TerminalStatuses.Contains(t.Status));
                var placed = view.Timeline.FirstOrDefault(t => t.Status == "Placed");
                if (terminal is not null && placed is not null)
                {
                    order.Finish(placed.At, terminal.At, terminal.Status, view.FailureReason);
                    return;
                }
            }
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // A failed poll is retried like an unfinished order; the count is reported.
            Interlocked.Increment(ref _pollErrors);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        finally
        {
            _slots.Release();
        }
        order.NextPoll = order.NextPoll * 2 < LastPoll ? order.NextPoll * 2 : LastPoll;
        Schedule(order, DateTimeOffset.UtcNow + order.NextPoll);
    }

    /// <summary>Waits until every order is terminal or the deadline passes; true when all are.</summary>
    public static async Task<bool> WaitUntilTerminalAsync(IReadOnlyCollection<TrackedOrder> orders, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        while (orders.Any(o => !o.IsTerminal))
        {
            if (DateTimeOffset.UtcNow >= deadline)
                return false;
            await Task.Delay(200, cancellationToken);
        }
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
            await _loop;
        _stop.Dispose();
    }
}
