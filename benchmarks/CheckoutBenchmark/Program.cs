using System.CommandLine;
using System.Globalization;
using Shop.Benchmarks.Checkout;
using Spectre.Console;

// Normally started by ./shop bench, which builds, starts a system with raised rate limits and passes where it is.
Option<string> Required(string name, string description) => new(name) { Description = description, Required = true };

var gateway = Required("--gateway", "The system's gateway URL");
var systemState = Required("--system-state", "The system's ./shop state folder (pids, postgres/postmaster.pid, secrets)");
var postgres = Required("--postgres", "Npgsql connection string of the shop database");
var rabbitMq = Required("--rabbitmq", "amqp://user:pass@host:port/vhost of the shop's virtual host");
var management = Required("--rabbitmq-management", "RabbitMQ management API URL (guest/guest)");
var postgresBin = Required("--postgres-bin", "PostgreSQL's bin folder (pgbench)");
var results = Required("--results", "Folder for the JSON and Markdown results");
var adminEmail = new Option<string>("--admin-email") { Description = "The system's admin", DefaultValueFactory = _ => "admin@shop.local" };
var commit = new Option<string>("--commit") { Description = "git commit measured", DefaultValueFactory = _ => "unknown" };
var dirty = new Option<bool>("--dirty") { Description = "The work tree had uncommitted changes" };
var quick = new Option<bool>("--quick") { Description = "<= 90 s: one short step, short read and limit phases; checks the pipeline, no thresholds" };
var rates = new Option<string?>("--rates") { Description = "Offered checkout rates in orders/s, e.g. 10,25,50 [full: 5,10,25,50,100,200; quick: 5]" };
var stepSeconds = new Option<double?>("--step-seconds") { Description = "Length of each write step [full 60, quick 15]" };
var warmupSeconds = new Option<double?>("--warmup-seconds") { Description = "Start of each step left out of the steady window [full 15, quick 5]" };
var drainSeconds = new Option<double?>("--drain-seconds") { Description = "Bound on waiting for a step's backlog [full 120, quick 20]" };
var readSeconds = new Option<double?>("--read-seconds") { Description = "Length of each read-path measurement [full 15, quick 3]" };
var limitSeconds = new Option<double?>("--limit-seconds") { Description = "Length of each machine-limit measurement [full 15, quick 4]" };
var direct = new Option<string?>("--direct") { Description = "Services' own URLs, e.g. inventory=http://127.0.0.1:8084,cart=...,orders=...: each read is measured there too (./shop passes them)" };
var connections = new Option<int>("--connections") { Description = "Connections of the read path and the health limit", DefaultValueFactory = _ => 32 };
var customersPerRate = new Option<double>("--customers-per-rate")
{
    Description = "Customers per offered order/s, the bound on checkouts in flight; raise it to offer a step far above what the system sustains [2]",
    DefaultValueFactory = _ => 2,
};

var root = new RootCommand("Shop's checkout benchmark: write path in open-loop steps, read path at fixed concurrency, and the machine's " +
                           "limits, all in one run (docs/PERFORMANCE.md). ./shop bench fills in the required options, which say where " +
                           "the system is; give it the others (and --reuse to measure the system already running).")
{
    gateway, systemState, postgres, rabbitMq, management, postgresBin, results, adminEmail, commit, dirty, quick, rates, stepSeconds,
    warmupSeconds, drainSeconds, readSeconds, limitSeconds, connections, customersPerRate, direct,
};

root.SetAction(async (parse, cancellationToken) =>
{
    var isQuick = parse.GetValue(quick);
    TimeSpan Seconds(Option<double?> option, double full, double brief) => TimeSpan.FromSeconds(parse.GetValue(option) ?? (isQuick ? brief : full));
    IReadOnlyList<double> offered;
    try
    {
        offered = parse.GetValue(rates) is { } list
            ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(r => double.Parse(r, CultureInfo.InvariantCulture)).ToList()
            : isQuick ? BenchmarkSettings.QuickRates : BenchmarkSettings.FullRates;
    }
    catch (FormatException)
    {
        AnsiConsole.MarkupLine("[red]--rates takes numbers separated by commas, e.g. 10,25,50[/]");
        return 2;
    }
    if (offered.Count == 0 || offered.Any(r => r <= 0))
    {
        AnsiConsole.MarkupLine("[red]--rates needs at least one positive rate[/]");
        return 2;
    }

    Dictionary<string, Uri> directs = [];
    foreach (var pair in (parse.GetValue(direct) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
    {
        var parts = pair.Split('=', 2, StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || parts[0].Length == 0 || !Uri.TryCreate(parts[1].TrimEnd('/') + "/", UriKind.Absolute, out var address))
        {
            AnsiConsole.MarkupLineInterpolated($"[red]--direct takes service=URL pairs separated by commas; '{pair}' is not one[/]");
            return 2;
        }
        directs[parts[0]] = address;
    }

    var settings = new BenchmarkSettings
    {
        Gateway = new Uri(parse.GetValue(gateway)!.TrimEnd('/') + "/"),
        SystemState = parse.GetValue(systemState)!,
        AdminEmail = parse.GetValue(adminEmail)!,
        Postgres = parse.GetValue(postgres)!,
        RabbitMq = new Uri(parse.GetValue(rabbitMq)!),
        RabbitMqManagement = new Uri(parse.GetValue(management)!.TrimEnd('/') + "/"),
        Direct = directs,
        PostgresBin = parse.GetValue(postgresBin)!,
        ResultsDirectory = parse.GetValue(results)!,
        Commit = parse.GetValue(commit)!,
        Dirty = parse.GetValue(dirty),
        Quick = isQuick,
        Rates = offered,
        StepLength = Seconds(stepSeconds, 60, 15),
        Warmup = Seconds(warmupSeconds, 15, 5),
        DrainBound = Seconds(drainSeconds, 120, 20),
        Settle = TimeSpan.FromSeconds(isQuick ? 2 : 10),
        TimeBudget = isQuick ? TimeSpan.FromSeconds(85) : null,
        IdleLength = TimeSpan.FromSeconds(isQuick ? 2 : 10),
        ReadLength = Seconds(readSeconds, 15, 3),
        LimitLength = Seconds(limitSeconds, 15, 4),
        Connections = parse.GetValue(connections),
        Products = isQuick ? 4 : 20,
        Readers = isQuick ? 4 : 8,
        CustomersPerRate = parse.GetValue(customersPerRate),
    };
    if (settings.CustomersPerRate <= 0)
    {
        AnsiConsole.MarkupLine("[red]--customers-per-rate must be positive[/]");
        return 2;
    }
    if (settings.Warmup >= settings.StepLength)
    {
        AnsiConsole.MarkupLine("[red]--warmup-seconds must be shorter than --step-seconds[/]");
        return 2;
    }
    return await new Benchmark(settings).RunAsync(cancellationToken);
});

return await root.Parse(args).InvokeAsync();
