using System.Diagnostics;
using System.Net;
using Shop.Benchmarks.Checkout.Probes;

namespace Shop.Benchmarks.Checkout;

/// <summary>
/// One open-loop step: new checkouts (add one item, then checkout with an Idempotency-Key) at a fixed rate, whatever the
/// answers; then the wait for its orders to become terminal (bounded), then every figure of the step.
/// </summary>
public sealed class WritePath(ShopHttp http, Workload workload, OrderTracker tracker, BenchmarkSettings settings,
    Func<CancellationToken, Task<ResourceSample>> sample, RabbitManagement rabbit)
{
    sealed class Arrival(TimeSpan due)
    {
        public TimeSpan Due { get; } = due;
        public double? CheckoutMs { get; set; }
        public string? Error { get; set; }
        public TrackedOrder? Order { get; set; }
    }

    /// <summary>Live counts for the progress display.</summary>
    public sealed record Progress(string Phase, double Done, int Sent, int NotSent, int Accepted, int Rejected, int Backlog);

    int _sent, _notSent, _accepted, _rejected;

    /// <param name="runDeadline">when the whole run must be done (quick runs), or DateTimeOffset.MaxValue</param>
    public async Task<StepResult> RunStepAsync(double rate, LimitsResult limits, DateTimeOffset runDeadline, Action<Progress> progress,
        CancellationToken cancellationToken)
    {
        _sent = _notSent = _accepted = _rejected = 0;
        var before = await sample(cancellationToken);
        var pollsBefore = tracker.Polls;
        await using var peaks = rabbit.WatchPeaks();

        var arrivals = new List<Arrival>();
        var orders = new List<TrackedOrder>();
        int Backlog()
        {
            lock (orders)
                return orders.Count(o => !o.IsTerminal);
        }

        var total = (int)Math.Floor(rate * settings.StepLength.TotalSeconds);
        var inFlight = new List<Task>(total);
        var start = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        // The machine's load over the steady window (warm-up to step end), read beside the arrivals.
        var windowCpu = Task.Delay(settings.Warmup, cancellationToken).ContinueWith(_ => MachineCpu.Read(), TaskContinuationOptions.OnlyOnRanToCompletion);
        var reportEvery = TimeSpan.FromMilliseconds(500);
        var nextReport = TimeSpan.Zero;
        for (var i = 0; i < total; i++)
        {
            // Arrival i is due at i/rate whatever happened to the ones before: a late loop catches up at once.
            var arrival = new Arrival(TimeSpan.FromSeconds(i / rate));
            var wait = arrival.Due - clock.Elapsed;
            if (wait > TimeSpan.Zero)
                await Task.Delay(wait, cancellationToken);
            arrivals.Add(arrival);
            if (workload.Writers.TryTake(out var customer))
            {
                Interlocked.Increment(ref _sent);
                inFlight.Add(Task.Run(() => PlaceOrderAsync(arrival, customer, orders, cancellationToken), cancellationToken));
            }
            else
                Interlocked.Increment(ref _notSent);
            if (clock.Elapsed >= nextReport)
            {
                progress(Snapshot("sending", clock.Elapsed / settings.StepLength, Backlog()));
                nextReport = clock.Elapsed + reportEvery;
            }
        }
        if (settings.StepLength - clock.Elapsed is { Ticks: > 0 } rest)
            await Task.Delay(rest, cancellationToken);
        var end = start + settings.StepLength;
        var machineBusy = MachineCpu.Read().BusyShareSince(await windowCpu);

        // Checkouts still in flight finish within the HTTP timeout; then their orders are followed like the others.
        progress(Snapshot("draining", 1, Backlog()));
        await Task.WhenAll(inFlight);
        using (var draining = new Timer(_ => progress(Snapshot("draining", 1, Backlog())), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(500)))
        {
            List<TrackedOrder> placed;
            lock (orders)
                placed = orders.ToList();
            var drainDeadline = end + settings.DrainBound;
            if (runDeadline - settings.Settle < drainDeadline)
                drainDeadline = runDeadline - settings.Settle;
            await tracker.WaitUntilTerminalAsync(placed, drainDeadline, cancellationToken);
        }
        progress(Snapshot("settling", 1, Backlog()));
        await Task.Delay(settings.Settle, cancellationToken);
        var delta = (await sample(cancellationToken)).Since(before);
        var peakDepths = await peaks.StopAsync();
        var polls = tracker.Polls - pollsBefore;
        return Summarize(rate, start, end, arrivals, orders, delta, peakDepths, polls, limits, machineBusy);
    }

    Progress Snapshot(string phase, double done, int backlog) =>
        new(phase, Math.Min(1, done), Volatile.Read(ref _sent), Volatile.Read(ref _notSent), Volatile.Read(ref _accepted), Volatile.Read(ref _rejected), backlog);

    async Task PlaceOrderAsync(Arrival arrival, Account customer, List<TrackedOrder> orders, CancellationToken cancellationToken)
    {
        var stage = "add item";
        try
        {
            using (var added = await http.SendAsync(HttpMethod.Post, "api/cart/items", customer, cancellationToken, new { productId = workload.AnyProduct(), quantity = 1 }))
                if (!added.IsSuccessStatusCode)
                {
                    arrival.Error = $"{stage} {(int)added.StatusCode}";
                    return;
                }
            stage = "checkout";
            var sent = Stopwatch.GetTimestamp();
            using var response = await http.SendAsync(HttpMethod.Post, "api/cart/checkout", customer, cancellationToken,
                new { paymentMethod = Workload.PaymentMethod }, idempotencyKey: Guid.NewGuid().ToString("N"));
            arrival.CheckoutMs = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                arrival.Error = $"{stage} {(int)response.StatusCode}";
                return;
            }
            var order = tracker.Track(await Workload.ReadOrderIdAsync(response, cancellationToken), customer, DateTimeOffset.UtcNow);
            lock (orders)
                orders.Add(order);
            arrival.Order = order;
        }
        catch (HttpRequestException)
        {
            arrival.Error = $"{stage} connection failed";
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            arrival.Error = $"{stage} timeout";
        }
        finally
        {
            if (arrival.Error is null)
                Interlocked.Increment(ref _accepted);
            else
            {
                Interlocked.Increment(ref _rejected);
                await ClearCartAsync(customer, cancellationToken);
            }
            workload.Writers.Return(customer);
        }
    }

    /// <summary>After a failed arrival the customer's cart may still hold its item: empty it so the next order has one line.</summary>
    async Task ClearCartAsync(Account customer, CancellationToken cancellationToken)
    {
        try
        {
            using var _ = await http.SendAsync(HttpMethod.Delete, "api/cart", customer, cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Best effort: a cart that could not be emptied only makes that customer's next order two lines long.
        }
    }

    StepResult Summarize(double rate, DateTimeOffset start, DateTimeOffset end, List<Arrival> arrivals, List<TrackedOrder> orders,
        ResourceDelta delta, IReadOnlyDictionary<string, long> peakDepths, long polls, LimitsResult limits, double machineBusy)
    {
        var windowStart = start + settings.Warmup;
        var window = (end - windowStart).TotalSeconds;
        var steady = arrivals.Where(a => a.Due >= settings.Warmup).ToList();
        var steadyOrders = steady.Where(a => a.Order is not null).Select(a => a.Order!).ToList();
        var completed = orders.Where(o => o.IsCompleted).ToList();
        var completedInWindow = completed.Count(o => o.TerminalAt >= windowStart && o.TerminalAt < end);
        var terminal = orders.Where(o => o.IsTerminal).ToList();
        var unfinished = orders.Count - terminal.Count;
        var drained = unfinished == 0;

        var completedPerSecond = completedInWindow / window;
        var count = Math.Max(completed.Count, 1);
        var perOrder = new PerOrder(
            delta.Postgres.Commits / (double)count, delta.Postgres.Rollbacks / (double)count, delta.Postgres.Inserted / (double)count,
            delta.Postgres.Updated / (double)count, delta.Postgres.Deleted / (double)count, delta.Postgres.WalBytes / (double)count,
            delta.RabbitPublished / (double)count, delta.TotalCpuSeconds / count);
        var endToEnd = Latency.Of(steadyOrders.Where(o => o.IsTerminal).Select(o => o.Latency!.Value.TotalMilliseconds), steadyOrders.Count(o => !o.IsTerminal));
        var counts = new StepCounts(arrivals.Count, Volatile.Read(ref _notSent), orders.Count, arrivals.Count(a => a.Error is not null), completed.Count, terminal.Count - completed.Count, unfinished, polls);
        var offeredPerSecond = steady.Count / window;
        var budgets = new StepBudgets(
            Ratio(completedPerSecond * perOrder.Transactions, limits.PostgresInsertCommitsPerSecond),
            Ratio(completedPerSecond * perOrder.RabbitPublishes, limits.RabbitRoundTripsPerSecond),
            Ratio(completedPerSecond * perOrder.CpuSeconds, Environment.ProcessorCount));

        return new StepResult(
            rate, Math.Round(window, 1), Math.Round(offeredPerSecond, 2), Math.Round(steadyOrders.Count / window, 2), Math.Round(completedPerSecond, 2), counts,
            arrivals.Where(a => a.Error is not null).GroupBy(a => a.Error!).ToDictionary(g => g.Key, g => (long)g.Count()),
            terminal.Where(o => !o.IsCompleted).GroupBy(o => o.FailureReason ?? o.Status!).ToDictionary(g => g.Key, g => (long)g.Count()),
            Latency.Of(steady.Where(a => a.CheckoutMs is not null).Select(a => a.CheckoutMs!.Value)),
            endToEnd,
            orders.Count(o => (o.PlacedAt ?? o.AcceptedAt) <= end && !(o.TerminalAt <= end)),
            drained,
            drained ? Math.Round(Math.Max(0, ((terminal.Count > 0 ? terminal.Max(o => o.TerminalAt!.Value) : end) - end).TotalSeconds), 1) : null,
            Math.Round(delta.Seconds, 1), Round(perOrder),
            delta.CpuSeconds.ToDictionary(c => c.Key, c => Math.Round(c.Value / count, 4)),
            peakDepths, budgets, Math.Round(machineBusy, 3),
            Saturated: !drained || completedPerSecond < BenchmarkSettings.Saturation * offeredPerSecond,
            MeetsTarget: drained && counts.NotSent == 0 && counts.Rejected == 0 && counts.Failed == 0
                         && endToEnd.P99Ms is { } p99 && p99 < settings.LatencyTarget.TotalMilliseconds);
    }

    static double Ratio(double used, double limit) => limit > 0 ? Math.Round(used / limit, 3) : 0;

    static PerOrder Round(PerOrder p) => new(Math.Round(p.Transactions, 1), Math.Round(p.Rollbacks, 1), Math.Round(p.Inserts, 1), Math.Round(p.Updates, 1),
        Math.Round(p.Deletes, 1), Math.Round(p.WalBytes), Math.Round(p.RabbitPublishes, 1), Math.Round(p.CpuSeconds, 4));
}
