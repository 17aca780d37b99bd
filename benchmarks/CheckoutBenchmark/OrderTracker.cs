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

    internal DateTimeOffset NextPollAt { get; set; }
    internal bool Polling { get; set; }

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
/// Follows accepted orders with GET /api/orders/{id} (as their customer) until their status is terminal. Latencies come
/// from the timeline, so polls only need to notice an end, not time it. Orders finish roughly in the order they were
/// placed, so only the oldest few unfinished ones are polled, each at most once a second; one that finishes makes room
/// for the next at once. Polling then costs about one GET per order plus a few per second, however deep the backlog.
/// </summary>
public sealed class OrderTracker(ShopHttp http) : IAsyncDisposable
{
    static readonly TimeSpan RepollAfter = TimeSpan.FromSeconds(1);
    static readonly string[] TerminalStatuses = ["Completed", "Failed", "Cancelled"];
    const int PollsInFlight = 8;

    /// <summary>How many of the oldest unfinished orders are polled.</summary>
    const int Window = 8;

    record TimelineEntry(string Status, DateTimeOffset At);
    record OrderView(string Status, string? FailureReason, List<TimelineEntry> Timeline);

    static readonly Comparer<TrackedOrder> OldestFirst = Comparer<TrackedOrder>.Create((a, b) =>
        a.AcceptedAt != b.AcceptedAt ? a.AcceptedAt.CompareTo(b.AcceptedAt) : a.Id.CompareTo(b.Id));

    readonly SortedSet<TrackedOrder> _unfinished = new(OldestFirst);
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
        var order = new TrackedOrder(orderId, customer, acceptedAt) { NextPollAt = acceptedAt + RepollAfter };
        lock (_unfinished)
            _unfinished.Add(order);
        return order;
    }

    async Task LoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await _slots.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (cancellationToken.IsCancellationRequested)
                break;
            var order = TakeOldestDue();
            if (order is null)
            {
                _slots.Release();
                await Task.Delay(50, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                continue;
            }
            _ = PollAndRescheduleAsync(order, cancellationToken);
        }
    }

    TrackedOrder? TakeOldestDue()
    {
        var now = DateTimeOffset.UtcNow;
        lock (_unfinished)
        {
            foreach (var order in _unfinished.Take(Window))
                if (!order.Polling && order.NextPollAt <= now)
                {
                    order.Polling = true;
                    return order;
                }
        }
        return null;
    }

    async Task PollAndRescheduleAsync(TrackedOrder order, CancellationToken cancellationToken)
    {
        try
        {
            await PollAsync(order, cancellationToken);
        }
        finally
        {
            lock (_unfinished)
            {
                if (order.IsTerminal)
                    _unfinished.Remove(order);
                order.NextPollAt = DateTimeOffset.UtcNow + RepollAfter;
                order.Polling = false;
            }
            _slots.Release();
        }
    }

    async Task PollAsync(TrackedOrder order, CancellationToken cancellationToken)
    {
        try
        {
            Interlocked.Increment(ref _polls);
            using var response = await http.SendAsync(HttpMethod.Get, $"api/orders/{order.Id}", order.Customer, cancellationToken);
            // 404: the order view is an async projection and may trail the checkout by a moment.
            if (response.StatusCode == HttpStatusCode.NotFound)
                return;
            await ShopHttp.EnsureSuccessAsync(response, cancellationToken);
            var view = (await response.Content.ReadFromJsonAsync<OrderView>(ShopHttp.Json, cancellationToken))!;
            var terminal = view.Timeline.FirstOrDefault(t => TerminalStatuses.Contains(t.Status));
            var placed = view.Timeline.FirstOrDefault(t => t.Status == "Placed");
            if (terminal is not null && placed is not null)
                order.Finish(placed.At, terminal.At, terminal.Status, view.FailureReason);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // A failed poll is retried like an unfinished order; the count is reported.
            Interlocked.Increment(ref _pollErrors);
        }
    }

    /// <summary>
    /// Waits until every order is terminal or the deadline passes; true when all are. At the deadline every order still
    /// unfinished is polled once more, so that the answer does not depend on how far the window got.
    /// </summary>
    public async Task<bool> WaitUntilTerminalAsync(IReadOnlyCollection<TrackedOrder> orders, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        while (orders.Any(o => !o.IsTerminal))
        {
            if (DateTimeOffset.UtcNow >= deadline)
            {
                await Parallel.ForEachAsync(orders.Where(o => !o.IsTerminal).ToList(),
                    new ParallelOptions { MaxDegreeOfParallelism = PollsInFlight, CancellationToken = cancellationToken },
                    async (order, token) => await PollAsync(order, token));
                lock (_unfinished)
                    _unfinished.RemoveWhere(o => o.IsTerminal && !o.Polling);
                return orders.All(o => o.IsTerminal);
            }
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
