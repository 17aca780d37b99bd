using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Schema;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Shop.Benchmarks.Checkout.Limits;
using Shop.Benchmarks.Checkout.Probes;
using Spectre.Console;

namespace Shop.Benchmarks.Checkout;

/// <summary>
/// One run: set-up, the read path on the quiet system, the machine's limits, an idle sample, then the write steps (last,
/// because a saturated step leaves a backlog behind). Then the tables, the JSON and the Markdown.
/// </summary>
/// <remarks>
/// A PostgreSQL backend that goes idle reports its last second of statistics only ten seconds later. The limits phase
/// does not touch the shop database, so it lets the read path's statistics arrive before the idle sample and the first
/// step start counting; each step waits the same settle time before its closing sample.
/// </remarks>
public sealed class Benchmark(BenchmarkSettings settings)
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true, NumberHandling = JsonNumberHandling.Strict, TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    readonly List<string> _problems = [];

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        // Captured output (CI logs) is no 80-column terminal: keep each table row on one line.
        if (Console.IsOutputRedirected)
            AnsiConsole.Profile.Width = 240;
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var mode = settings.Quick ? "quick" : "full";
        var dirty = settings.Dirty ? " + uncommitted changes" : "";
        AnsiConsole.MarkupLineInterpolated(
            $"[bold]Shop checkout benchmark[/] ({mode}) of commit {settings.Commit}{dirty} through {settings.Gateway}; rates {string.Join(", ", settings.Rates)} orders/s, {settings.StepLength.TotalSeconds} s steps");
        try
        {
            var result = await MeasureAsync(started, clock, cancellationToken);
            Report.Print(result);
            var written = await WriteAsync(result, cancellationToken);
            AnsiConsole.MarkupLineInterpolated($"Results: [bold]{written}[/] (and .md beside it; schema.json in the same folder)");
            foreach (var problem in result.Problems)
                AnsiConsole.MarkupLineInterpolated($"[red]problem:[/] {problem}");
            AnsiConsole.MarkupLineInterpolated($"Took {clock.Elapsed.TotalSeconds:0} s.");
            return result.Problems.Count == 0 ? 0 : 1;
        }
        catch (Exception exception) when (exception is BenchmarkException or HttpRequestException or Npgsql.NpgsqlException
                                              or RabbitMQ.Client.Exceptions.BrokerUnreachableException or TimeoutException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]benchmark failed after {clock.Elapsed.TotalSeconds:0} s:[/] {exception.Message}");
            return 1;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            AnsiConsole.MarkupLineInterpolated($"[yellow]benchmark interrupted after {clock.Elapsed.TotalSeconds:0} s; nothing written[/]");
            return 130;
        }
    }

    async Task<BenchmarkResult> MeasureAsync(DateTimeOffset started, Stopwatch clock, CancellationToken cancellationToken)
    {
        using var http = new ShopHttp(settings.Gateway);
        var directs = settings.Direct.ToDictionary(d => d.Key, d => new ShopHttp(d.Value, tokens: http));
        using var closeDirects = new DisposeAll(directs.Values);
        await EnsureSystemAnswersAsync(http, cancellationToken);
        var cpu = ProcessCpu.Of(settings.SystemState);
        using var rabbit = new RabbitManagement(settings.RabbitMqManagement, settings.RabbitMq);
        await using var tracker = new OrderTracker(http);
        tracker.Start();
        var workload = new Workload(http, started.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture));
        Task<ResourceSample> Sample(CancellationToken token) => ResourceSample.TakeAsync(settings.Postgres, cpu, rabbit, token);

        LimitsResult? limits = null;
        List<ReadResult> reads = [];
        IdleResult? idle = null;
        List<StepResult> steps = [];
        var phases = new Dictionary<string, double>();
        var phaseClock = Stopwatch.StartNew();
        void PhaseEnded(string phase)
        {
            phases[phase] = Math.Round(phaseClock.Elapsed.TotalSeconds, 1);
            phaseClock.Restart();
        }
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async progress =>
            {
                await SetUpAsync(progress, http, workload, tracker, cancellationToken);
                PhaseEnded("setUp");
                foreach (var target in workload.ReadTargets())
                {
                    reads.Add(await Timed(progress, $"Read path: {target.Name}", settings.ReadLength,
                        report => ClosedLoop.RunAsync(http, target, ReadVia.Gateway, settings.Connections, settings.ReadLength, report, cancellationToken)));
                    // The same requests on the service's own port: the difference is what the gateway costs.
                    if (directs.TryGetValue(target.Service, out var direct))
                        reads.Add(await Timed(progress, $"Read path: {target.Name}, direct to {target.Service}", settings.ReadLength,
                            report => ClosedLoop.RunAsync(direct, target, ReadVia.Direct, settings.Connections, settings.ReadLength, report, cancellationToken)));
                }
                PhaseEnded("read");
                limits = await MeasureLimitsAsync(progress, http, cancellationToken);
                PhaseEnded("limits");
                idle = await Timed(progress, "Idle system (its own polling)", settings.IdleLength, async _ =>
                {
                    var before = await Sample(cancellationToken);
                    await Task.Delay(settings.IdleLength, cancellationToken);
                    var delta = (await Sample(cancellationToken)).Since(before);
                    return new IdleResult(Math.Round(delta.Seconds, 1), Math.Round(delta.Postgres.Commits / delta.Seconds, 1), Math.Round(delta.MachineCpuShare, 3),
                        delta.CpuSeconds.ToDictionary(c => c.Key, c => Math.Round(c.Value / delta.Seconds, 4)));
                });
                PhaseEnded("idle");
                var write = new WritePath(http, workload, tracker, settings, Sample, rabbit);
                var deadline = settings.TimeBudget is { } budget ? started + budget : DateTimeOffset.MaxValue;
                foreach (var rate in settings.Rates)
                {
                    var step = await RunStepAsync(progress, write, workload, rate, limits, deadline, cancellationToken);
                    steps.Add(step);
                    if (step.Saturated)
                        break;
                }
                PhaseEnded("write");
            });

        var catalog = reads.FirstOrDefault(r => r.Name == Workload.CatalogPage && r.Via == ReadVia.Gateway);
        var headline = new HeadlineResult(
            steps.Where(s => s.MeetsTarget).Select(s => (double?)s.Rate).Max(),
            $"checkout→terminal p99 < {settings.LatencyTarget.TotalMilliseconds:0} ms, backlog drained, every arrival sent and accepted, no order failed",
            steps.Count > 0 ? steps.Max(s => s.CompletedPerSecond) : null,
            catalog is not null && limits!.Health.RequestsPerSecond > 0 ? Math.Round(catalog.RequestsPerSecond / limits.Health.RequestsPerSecond, 3) : null);
        CheckPipeline(limits!, reads, steps, tracker);
        return new BenchmarkResult(BenchmarkResult.CurrentSchemaVersion, settings.Commit, settings.Dirty, settings.Quick ? "quick" : "full", started,
            Math.Round(clock.Elapsed.TotalSeconds, 1), MachineInfo.Current(),
            new RunSettings(settings.Gateway.ToString(), settings.Rates, settings.StepLength.TotalSeconds, settings.Warmup.TotalSeconds,
                settings.DrainBound.TotalSeconds, settings.Settle.TotalSeconds, settings.ReadLength.TotalSeconds, settings.LimitLength.TotalSeconds,
                settings.Connections, settings.LimitClients, settings.CustomersPerRate, settings.LatencyTarget.TotalMilliseconds,
                settings.Direct.ToDictionary(d => d.Key, d => d.Value.ToString())),
            phases, limits!, reads, idle!, steps, headline, _problems);
    }

    static async Task EnsureSystemAnswersAsync(ShopHttp http, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.SendAsync(HttpMethod.Get, "health/ready", null, cancellationToken);
            if (response.IsSuccessStatusCode)
                return;
            throw new BenchmarkException($"the gateway at {http.Client.BaseAddress} is not ready ({(int)response.StatusCode})");
        }
        catch (HttpRequestException exception)
        {
            throw new BenchmarkException($"no system answers at {http.Client.BaseAddress} ({exception.Message}); ./shop bench starts one of its own");
        }
    }

    async Task SetUpAsync(ProgressContext progress, ShopHttp http, Workload workload, OrderTracker tracker, CancellationToken cancellationToken)
    {
        var task = progress.AddTask("Set-up: products with ample stock", maxValue: settings.Products + settings.Readers + 1);
        var password = Path.Combine(settings.SystemState, "secrets", "admin-password");
        if (!File.Exists(password))
            throw new BenchmarkException($"{password} is missing: is a ./shop system running from {settings.SystemState}?");
        var admin = new Account(settings.AdminEmail, (await File.ReadAllTextAsync(password, cancellationToken)).Trim());
        await admin.AccessTokenAsync(http, cancellationToken);
        await workload.CreateProductsAsync(admin, settings.Products, () => task.Increment(1), cancellationToken);
        task.Description = "Set-up: the cart learns the products";
        await workload.WaitUntilCartSellsProductsAsync(TimeSpan.FromSeconds(60), cancellationToken);
        task.Description = "Set-up: readers, each with an order and a cart";
        await workload.CreateReadersAsync(settings.Readers, tracker, () => task.Increment(1), cancellationToken);
        // The readers' orders are the warm-up: the whole checkout pipeline once through, before anything is measured.
        task.Description = "Set-up: the readers' orders go through checkout";
        var bound = TimeSpan.FromSeconds(settings.Quick ? 30 : 120);
        if (!await tracker.WaitUntilTerminalAsync(workload.ReaderOrders, DateTimeOffset.UtcNow + bound, cancellationToken))
            throw new BenchmarkException($"the set-up's {workload.ReaderOrders.Count} orders did not reach a terminal status within {bound.TotalSeconds} s: " +
                                         "checkout is not working (see the services' logs)");
        if (workload.ReaderOrders.FirstOrDefault(o => !o.IsCompleted) is { } failed)
            throw new BenchmarkException($"set-up order {failed.Id} ended {failed.Status} ({failed.FailureReason}) instead of Completed");
        task.Increment(1);
        task.Description = "Set-up: products, readers, warm-up orders";
        task.StopTask();
    }

    async Task<LimitsResult> MeasureLimitsAsync(ProgressContext progress, ShopHttp http, CancellationToken cancellationToken)
    {
        var clients = settings.LimitClients;
        var commits = await Timed(progress, $"Limit: PostgreSQL one-row insert commits ({clients} clients, pgbench)", settings.LimitLength,
            _ => PostgresCommitLimit.MeasureAsync(settings.Postgres, settings.PostgresBin, clients, settings.LimitLength, cancellationToken));
        var roundTrips = await Timed(progress, $"Limit: RabbitMQ publish→consume round trips ({clients} publishers, confirms)", settings.LimitLength,
            _ => RabbitRoundTripLimit.MeasureAsync(settings.RabbitMq, clients, settings.LimitLength, cancellationToken));
        var health = await Timed(progress, $"Limit: gateway /health/live ({settings.Connections} connections)", settings.LimitLength,
            report => ClosedLoop.RunAsync(http, new ReadTarget("health", "/health/live", "gateway", _ => ("health/live", null)), ReadVia.Gateway, settings.Connections,
                settings.LimitLength, report, cancellationToken));
        return new LimitsResult(clients, Math.Round(commits, 1), roundTrips.RoundTripsPerSecond, roundTrips.P50Ms, health);
    }

    async Task<StepResult> RunStepAsync(ProgressContext progress, WritePath write, Workload workload, double rate, LimitsResult limits,
        DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var name = $"Write {rate:0.##} orders/s";
        var task = progress.AddTask(name, maxValue: 1);
        var customers = (int)Math.Ceiling(Math.Max(rate * settings.CustomersPerRate, 4));
        task.Description = $"{name}: signing up customers ({workload.Writers.Size} → {customers})";
        await workload.EnsureWritersAsync(customers, () => { }, cancellationToken);
        var step = await write.RunStepAsync(rate, limits, deadline, live =>
        {
            task.Value = live.Done;
            task.Description = $"{name}: {live.Phase} · sent {live.Sent} · accepted {live.Accepted} · rejected {live.Rejected} · not sent {live.NotSent} · backlog {live.Backlog}";
        }, cancellationToken);
        task.Description = $"{name}: completed {step.CompletedPerSecond:0.##}/s, checkout→terminal p99 " +
                           (step.CheckoutToTerminal.P99Ms is { } p99 ? $"{p99:0} ms" : "unknown") + (step.Saturated ? " — saturated, no higher rate" : "");
        task.StopTask();
        return step;
    }

    /// <summary>Runs a phase of known length with a progress bar that follows the clock (or the phase's own reports).</summary>
    static async Task<T> Timed<T>(ProgressContext progress, string name, TimeSpan length, Func<Action<double>, Task<T>> phase)
    {
        var task = progress.AddTask(name, maxValue: 1);
        var clock = Stopwatch.StartNew();
        var work = phase(done => task.Value = done);
        while (!work.IsCompleted)
        {
            task.Value = Math.Max(task.Value, Math.Min(0.99, clock.Elapsed / length));
            await Task.WhenAny(work, Task.Delay(250));
        }
        var result = await work;
        task.Value = 1;
        task.StopTask();
        return result;
    }

    /// <summary>What any run must show, quick or full (no speed thresholds): each phase produced numbers, nothing was rate-limited.</summary>
    void CheckPipeline(LimitsResult limits, List<ReadResult> reads, List<StepResult> steps, OrderTracker tracker)
    {
        if (limits.PostgresInsertCommitsPerSecond <= 0 || limits.RabbitRoundTripsPerSecond <= 0 || limits.Health.Requests == 0)
            _problems.Add("a machine limit measured nothing");
        foreach (var read in reads.Where(r => r.Requests == 0 || r.Errors > 0))
            _problems.Add($"read path '{read.Name}' ({read.Via}): {read.Requests} answered, {read.Errors} errors");
        foreach (var step in steps.Where(s => s.Counts.Completed == 0))
            _problems.Add($"the {step.Rate} orders/s step completed no order");
        foreach (var step in steps)
            foreach (var (error, count) in step.Errors.Where(e => e.Key.EndsWith(" 429", StringComparison.Ordinal)))
                _problems.Add($"the {step.Rate} orders/s step: {count} x '{error}'{ShopHttp.RateLimitHint}");
        if (tracker.PollErrors > 0)
            _problems.Add($"{tracker.PollErrors} order polls failed");
    }

    async Task<string> WriteAsync(BenchmarkResult result, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(settings.ResultsDirectory);
        var commit = result.Commit.Length > 12 ? result.Commit[..12] : result.Commit;
        var stem = Path.Combine(settings.ResultsDirectory, $"{result.StartedAt:yyyyMMdd-HHmmss}-{commit}-{result.Mode}");
        await File.WriteAllTextAsync(stem + ".json", JsonSerializer.Serialize(result, Json), cancellationToken);
        await File.WriteAllTextAsync(stem + ".md", Report.Markdown(result), cancellationToken);
        var schema = JsonSchemaExporter.GetJsonSchemaAsNode(Json, typeof(BenchmarkResult), new JsonSchemaExporterOptions { TreatNullObliviousAsNonNullable = true });
        await File.WriteAllTextAsync(Path.Combine(settings.ResultsDirectory, "schema.json"), schema.ToJsonString(Json), cancellationToken);
        return stem + ".json";
    }
}

/// <summary>How a read-path measurement reached the service.</summary>
public static class ReadVia
{
    public const string Gateway = "gateway";
    public const string Direct = "direct";
}

sealed class DisposeAll(IEnumerable<IDisposable> disposables) : IDisposable
{
    public void Dispose()
    {
        foreach (var disposable in disposables)
            disposable.Dispose();
    }
}
