using System.Globalization;
using System.Text;
using Spectre.Console;

namespace Shop.Benchmarks.Checkout;

/// <summary>The result as tables: on the terminal (Spectre.Console) and as Markdown for docs/PERFORMANCE.md.</summary>
public static class Report
{
    public sealed record Section(string Title, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string>> Rows);

    /// <summary>Process columns in a fixed order (the services in their start order, then the servers and the benchmark).</summary>
    static readonly string[] ProcessOrder = ["gateway", "cart", "orders", "payments", "inventory", "notifications", "postgres", "rabbitmq", "maildev", "bench"];

    public static IReadOnlyList<Section> Sections(BenchmarkResult result)
    {
        var steps = result.Steps;
        var drain = result.Settings.DrainBoundSeconds;
        var processes = steps.SelectMany(s => s.CpuSecondsPerOrder.Keys).Distinct()
            .OrderBy(p => Array.IndexOf(ProcessOrder, p.Split('-')[0]) is var i and >= 0 ? i : ProcessOrder.Length).ThenBy(p => p, StringComparer.Ordinal).ToList();
        var limits = result.Limits;
        return
        [
            new("Write path — open loop, rates over each step's steady window", [
                    "offered (target)", "offered/s", "accepted/s", "completed/s", "checkout HTTP p50 / p99 ms", "checkout→terminal p50 / p99 / max ms",
                    "backlog at end", "drain s", "not sent", "rejected", "failed", "verdict",
                ],
                steps.Select(s => Row(
                    N(s.Rate), N(s.OfferedPerSecond), N(s.AcceptedPerSecond), N(s.CompletedPerSecond),
                    $"{Ms(s.CheckoutHttp.P50Ms)} / {Ms(s.CheckoutHttp.P99Ms)}",
                    Terminal(s.CheckoutToTerminal, drain),
                    N(s.BacklogAtEnd), s.DrainSeconds is { } d ? N(d) : $"> {N(drain)}", N(s.Counts.NotSent), N(s.Counts.Rejected), N(s.Counts.Failed),
                    s.MeetsTarget ? "meets target" : s.Saturated ? "saturated" : "over target")).ToList()),
            new("Write path — cost per completed order (step start to settled end)", [
                    "offered (target)", "PG transactions", "PG inserts", "PG updates", "PG deletes", "WAL KiB", "messages published", "CPU ms",
                    "order polls", "PG commit budget", "RabbitMQ budget", "CPU budget", "machine busy",
                ],
                steps.Select(s => Row(
                    N(s.Rate), N(s.PerCompletedOrder.Transactions), N(s.PerCompletedOrder.Inserts), N(s.PerCompletedOrder.Updates),
                    N(s.PerCompletedOrder.Deletes), N(s.PerCompletedOrder.WalBytes / 1024), N(s.PerCompletedOrder.RabbitPublishes),
                    N(s.PerCompletedOrder.CpuSeconds * 1000), N(s.Counts.Completed > 0 ? s.Counts.OrderPolls / (double)s.Counts.Completed : 0),
                    Percent(s.Budgets.PostgresCommits), Percent(s.Budgets.RabbitRoundTrips), Percent(s.Budgets.MachineCpu),
                    Percent(s.MachineBusy))).ToList()),
            new("Write path — CPU ms per completed order, by process", ["offered (target)", .. processes],
                steps.Select(s => Row([N(s.Rate), .. processes.Select(p => N(s.CpuSecondsPerOrder.GetValueOrDefault(p) * 1000))])).ToList()),
            new("Write path — peak queue depth (management API, sampled every second)", ["offered (target)", "deepest queues"],
                steps.Select(s => Row(N(s.Rate), string.Join(", ", s.PeakQueueDepth.Where(q => q.Value > 0).Take(6).Select(q => $"{q.Key} {q.Value}")) is { Length: > 0 } text ? text : "all empty")).ToList()),
            new($"Read path — {result.Settings.Connections} connections, {N(result.Settings.ReadSeconds)} s each, through the gateway and direct to the service",
                ["request", "route", "requests/s", "p50 ms", "p99 ms", "errors", "direct requests/s", "direct p50 ms", "direct p99 ms", "direct errors"],
                result.Read.Where(r => r.Via == ReadVia.Gateway).Select(r =>
                {
                    var direct = result.Read.FirstOrDefault(d => d.Via == ReadVia.Direct && d.Name == r.Name);
                    return Row(r.Name, r.Route, N(r.RequestsPerSecond), Ms(r.P50Ms), Ms(r.P99Ms), N(r.Errors),
                        direct is null ? "—" : N(direct.RequestsPerSecond), Ms(direct?.P50Ms), Ms(direct?.P99Ms), direct is null ? "—" : N(direct.Errors));
                }).ToList()),
            new("The machine's limits, same run", ["limit", "value", "how"],
            [
                Row("PostgreSQL one-row insert commits/s", N(limits.PostgresInsertCommitsPerSecond), $"pgbench, {limits.LimitClients} clients, same server"),
                Row("RabbitMQ publish→consume round trips/s", N(limits.RabbitRoundTripsPerSecond),
                    $"{limits.LimitClients} publishers, confirms, persistent, p50 {Ms(limits.RabbitRoundTripP50Ms)} ms"),
                Row("gateway /health/live requests/s", N(limits.Health.RequestsPerSecond),
                    $"{limits.Health.Connections} connections, p50 {Ms(limits.Health.P50Ms)} / p99 {Ms(limits.Health.P99Ms)} ms, {N(limits.Health.Errors)} errors"),
                Row("idle system: PG transactions/s", N(result.Idle.TransactionsPerSecond), $"its own polling, {Percent(result.Idle.MachineCpuShare)} of the CPU"),
            ]),
            new("Headline", ["figure", "value"],
            [
                Row("highest offered rate meeting the target", result.Headline.Rate is { } rate ? $"{N(rate)} orders/s" : "none of the steps"),
                Row("target", result.Headline.Rule),
                Row("most completed orders/s in any step", result.Headline.MaxCompletedPerSecond is { } most ? N(most) : "—"),
                Row("catalog page requests/s ÷ /health/live requests/s", result.Headline.CatalogToHealth is { } ratio ? Percent(ratio) : "—"),
            ]),
        ];
    }

    public static void Print(BenchmarkResult result)
    {
        foreach (var section in Sections(result))
        {
            var table = new Table().Title($"[bold]{Markup.Escape(section.Title)}[/]").Border(TableBorder.Rounded);
            foreach (var column in section.Columns)
                table.AddColumn(new TableColumn(Markup.Escape(column)).RightAligned());
            foreach (var row in section.Rows)
                table.AddRow(row.Select(Markup.Escape).ToArray());
            AnsiConsole.Write(table);
        }
    }

    public static string Markdown(BenchmarkResult result)
    {
        var text = new StringBuilder();
        var dirty = result.Dirty ? " (with uncommitted changes)" : "";
        var phases = string.Join(", ", result.PhaseSeconds.Select(p => $"{p.Key} {N(p.Value)}"));
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Commit `{result.Commit}`{dirty}, {result.Mode} run of {result.StartedAt:yyyy-MM-dd HH:mm} UTC, {N(result.DurationSeconds)} s " +
            $"(phases: {phases}); {result.Machine.Cores} cores ({result.Machine.Cpu}), {N(result.Machine.MemoryGiB)} GiB, Linux {result.Machine.Kernel}.");
        foreach (var section in Sections(result))
        {
            text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"**{section.Title}**").AppendLine();
            text.AppendLine("| " + string.Join(" | ", section.Columns) + " |");
            text.AppendLine("|" + string.Concat(section.Columns.Select(_ => "---|")));
            foreach (var row in section.Rows)
                text.AppendLine("| " + string.Join(" | ", row.Select(cell => cell.Replace("|", "\\|"))) + " |");
        }
        return text.ToString();
    }

    static IReadOnlyList<string> Row(params string[] cells) => cells;

    static string N(double value) => value switch
    {
        0 => "0",
        >= 100 or <= -100 => value.ToString("0", CultureInfo.InvariantCulture),
        >= 10 or <= -10 => value.ToString("0.#", CultureInfo.InvariantCulture),
        _ => value.ToString("0.##", CultureInfo.InvariantCulture),
    };

    static string Percent(double share) => (share * 100).ToString("0.#", CultureInfo.InvariantCulture) + " %";

    static string Ms(double? ms) => ms is { } value ? N(value) : "—";

    /// <summary>p50 / p99 / max; a figure that falls among orders still unfinished at the drain bound is only known to exceed it.</summary>
    static string Terminal(Latency latency, double drainBound)
    {
        string Figure(double? ms) => latency.Count == 0 ? "—" : ms is { } value ? N(value) : $"> {N(drainBound)} s after its step";
        return $"{Figure(latency.P50Ms)} / {Figure(latency.P99Ms)} / {Figure(latency.MaxMs)}";
    }
}
