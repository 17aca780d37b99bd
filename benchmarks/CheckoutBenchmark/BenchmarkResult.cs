namespace Shop.Benchmarks.Checkout;

// The JSON written under .shop/bench/ (camelCase). schema.json beside it is generated from these records on every run;
// docs/PERFORMANCE.md says what each number means and what bounds it. Bump SchemaVersion when a field changes meaning.

public sealed record BenchmarkResult(
    int SchemaVersion, string Commit, bool Dirty, string Mode, DateTimeOffset StartedAt, double DurationSeconds, MachineInfo Machine,
    RunSettings Settings, IReadOnlyDictionary<string, double> PhaseSeconds, LimitsResult Limits, IReadOnlyList<ReadResult> Read, IdleResult Idle, IReadOnlyList<StepResult> Steps,
    HeadlineResult Headline, IReadOnlyList<string> Problems)
{
    public const int CurrentSchemaVersion = 2;
}

public sealed record MachineInfo(int Cores, string Cpu, double MemoryGiB, string Kernel)
{
    public static MachineInfo Current()
    {
        static string? Line(string file, string prefix) =>
            File.Exists(file) ? File.ReadLines(file).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal)) : null;
        var cpu = Line("/proc/cpuinfo", "model name")?.Split(':', 2)[1].Trim() ?? "unknown";
        var memoryKiB = Line("/proc/meminfo", "MemTotal:")?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1] ?? "0";
        var kernel = File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : Environment.OSVersion.VersionString;
        return new MachineInfo(Environment.ProcessorCount, cpu, Math.Round(long.Parse(memoryKiB) / 1024.0 / 1024.0, 1), kernel);
    }
}

public sealed record RunSettings(
    string Gateway, IReadOnlyList<double> Rates, double StepSeconds, double WarmupSeconds, double DrainBoundSeconds, double SettleSeconds,
    double ReadSeconds, double LimitSeconds, int Connections, int LimitClients, double CustomersPerRate, double LatencyTargetMs,
    IReadOnlyDictionary<string, string> Direct);

/// <param name="PostgresInsertCommitsPerSecond">pgbench, one-row insert transactions, <paramref name="LimitClients"/> clients</param>
/// <param name="RabbitRoundTripsPerSecond">publish (confirmed, persistent) -> consume (acked), <paramref name="LimitClients"/> publishers</param>
/// <param name="Health">GET /health/live through the gateway: the gateway's own ceiling</param>
public sealed record LimitsResult(
    int LimitClients, double PostgresInsertCommitsPerSecond, double RabbitRoundTripsPerSecond, double RabbitRoundTripP50Ms, ReadResult Health);

/// <param name="Via">"gateway" (the public path) or "direct" (the same request sent to the service's own port, no gateway)</param>
/// <param name="Requests">successful answers in the measured part (the first tenth is left out)</param>
/// <param name="Errors">error statuses, timeouts and broken connections, over the whole time</param>
/// <param name="RequestsPerSecond">successful answers per second</param>
public sealed record ReadResult(
    string Name, string Route, string Via, int Connections, double Seconds, long Requests, long Errors, double RequestsPerSecond, double? P50Ms, double? P99Ms);

/// <summary>The system doing nothing but its own polling, just before the write steps.</summary>
public sealed record IdleResult(double Seconds, double TransactionsPerSecond, double MachineCpuShare, IReadOnlyDictionary<string, double> CpuSecondsPerSecond);

/// <param name="Rate">the offered rate asked for (orders/s)</param>
/// <param name="WindowSeconds">the steady-state window: the step without its warm-up; the three rates are over it</param>
/// <param name="CheckoutHttp">POST /api/cart/checkout round trip, over the window's answered checkouts</param>
/// <param name="CheckoutToTerminal">the order timeline's Placed to Completed/Failed/Cancelled, over the window's accepted orders</param>
/// <param name="BacklogAtEnd">orders placed by the step's end and not terminal at its end</param>
/// <param name="DrainSeconds">step end to the last of its orders' terminal time; null when the drain bound ran out</param>
/// <param name="MeasuredSeconds">step start to the closing sample (step, drain, settle): the interval of every cost figure</param>
/// <param name="MachineBusy">share of all cores busy during the steady window, from /proc/stat (every process and the
/// kernel's interrupt work): whether the machine was full. The CPU budget under-reads at saturation, since it projects
/// the average cost onto the orders completed inside the window while the machine also works on the backlog.</param>
public sealed record StepResult(
    double Rate, double WindowSeconds, double OfferedPerSecond, double AcceptedPerSecond, double CompletedPerSecond, StepCounts Counts,
    IReadOnlyDictionary<string, long> Errors, IReadOnlyDictionary<string, long> FailureReasons, Latency CheckoutHttp, Latency CheckoutToTerminal,
    int BacklogAtEnd, bool Drained, double? DrainSeconds, double MeasuredSeconds, PerOrder PerCompletedOrder,
    IReadOnlyDictionary<string, double> CpuSecondsPerOrder, IReadOnlyDictionary<string, long> PeakQueueDepth, StepBudgets Budgets,
    double MachineBusy, bool Saturated, bool MeetsTarget);

/// <param name="Arrivals">arrivals due in the whole step</param>
/// <param name="NotSent">arrivals with no free customer: the bound on checkouts in flight was hit</param>
/// <param name="Rejected">arrivals whose add-item or checkout failed (status or transport; see Errors)</param>
/// <param name="Unfinished">accepted orders still not terminal when the drain bound ran out</param>
/// <param name="OrderPolls">GET /api/orders/{id} the benchmark sent to follow orders (load the system carried too)</param>
public sealed record StepCounts(long Arrivals, long NotSent, long Accepted, long Rejected, long Completed, long Failed, long Unfinished, long OrderPolls);

/// <summary>Deltas over the step's measured interval divided by its completed orders (background work included).</summary>
public sealed record PerOrder(
    double Transactions, double Rollbacks, double Inserts, double Updates, double Deletes, double WalBytes, double RabbitPublishes, double CpuSeconds);

/// <summary>Completed orders/s x cost per order / capacity: the share of each limit the step used (1 = all of it).</summary>
/// <param name="PostgresCommits">x transactions per order / the pgbench commit limit</param>
/// <param name="RabbitRoundTrips">x messages published per order / the round-trip limit</param>
/// <param name="MachineCpu">x CPU seconds per order (every process, the benchmark's too) / cores</param>
public sealed record StepBudgets(double PostgresCommits, double RabbitRoundTrips, double MachineCpu);

/// <param name="Rate">the highest offered rate that met the rule; null when no step did</param>
/// <param name="MaxCompletedPerSecond">the most completed orders/s of any step</param>
/// <param name="CatalogToHealth">catalog page requests/s over the gateway's /health/live requests/s</param>
public sealed record HeadlineResult(double? Rate, string Rule, double? MaxCompletedPerSecond, double? CatalogToHealth);
