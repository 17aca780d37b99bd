using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using static Shop.OperatorCli.Output;

namespace Shop.OperatorCli.Commands;

public static class ProjectionsCommands
{
    public static Command Build()
    {
        var projections = new Command("projections", "Read models projected from the event streams");
        projections.Add(ListCommand());
        projections.Add(RebuildCommand());
        return projections;
    }

    static Option<string?> ServiceOption() => new("--service", "-s") { Description = $"Only this service ({string.Join(", ", AdminApi.Services)})" };

    static Command ListCommand()
    {
        var service = ServiceOption();
        var command = new Command("list", "Projections of every service with their positions and lag") { service };
        Cli.Handle(command, async (parse, api, output, cancellationToken) =>
        {
            var all = await Collect(api, parse.GetValue(service), "projections", cancellationToken);
            if (output.Json)
            {
                output.Print(JsonSerializer.SerializeToElement(all.ToDictionary(p => p.Service, p => p.Result)));
                return;
            }
            var table = new Table().AddColumns("Service", "Projection", "Lifecycle", "Position", "High water", "Lag", "Status", "Rebuild");
            foreach (var (name, result) in all)
            foreach (var p in result.EnumerateArray())
            {
                var rebuild = p.TryGetProperty("rebuild", out var r) && r.ValueKind == JsonValueKind.Object
                    ? $"{Text(r, "state")} {Text(r, "percent")}%" : p.GetProperty("rebuildable").GetBoolean() ? "online" : "offline";
                table.AddRow(name, Safe(Text(p, "name")), Text(p, "lifecycle"), Text(p, "position"), Text(p, "highWaterMark"), Text(p, "lag"),
                    Safe(Text(p, "status")), Safe(rebuild));
            }
            output.Table(table);
        });
        return command;
    }

    static Command RebuildCommand()
    {
        var name = new Argument<string>("name") { Description = "The projection, e.g. OrderDetails" };
        var service = ServiceOption();
        var noWait = new Option<bool>("--no-wait") { Description = "Start the rebuild and return" };
        var command = new Command("rebuild", "Rebuilds an async projection while its service keeps running, with a progress bar") { name, service, noWait };
        Cli.Handle(command, async (parse, api, output, cancellationToken) =>
        {
            var projection = parse.GetValue(name)!;
            var owner = await OwnerOf(api, parse.GetValue(service), projection, cancellationToken);
            var started = await api.Post(owner, $"projections/{Uri.EscapeDataString(projection)}/rebuild", null, cancellationToken);
            if (parse.GetValue(noWait))
            {
                if (output.Json) output.Print(started);
                else output.Line($"Rebuilding {Safe(projection)} in {owner}; follow it with `shopctl projections list`.");
                return;
            }

            var status = started;
            if (output.Json)
            {
                while (Text(status, "state") == "Running")
                {
                    await Task.Delay(500, cancellationToken);
                    status = await api.Get(owner, $"projections/{Uri.EscapeDataString(projection)}/rebuild", cancellationToken);
                }
            }
            else
            {
                await AnsiConsole.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                    .StartAsync(async context =>
                    {
                        var task = context.AddTask($"{projection} ({owner})", maxValue: 100);
                        while (true)
                        {
                            task.Value = status.GetProperty("percent").GetDouble();
                            if (Text(status, "state") != "Running")
                                break;
                            await Task.Delay(500, cancellationToken);
                            status = await api.Get(owner, $"projections/{Uri.EscapeDataString(projection)}/rebuild", cancellationToken);
                        }
                        task.Value = 100;
                    });
            }

            if (Text(status, "state") != "Succeeded")
                throw new CliException($"Rebuilding {projection} failed: {Text(status, "error")}");
            if (output.Json)
                output.Print(status);
            else
                output.Line($"Rebuilt {Safe(projection)} in {owner} up to event sequence {Text(status, "target")}.");
        });
        return command;
    }

    static async Task<string> OwnerOf(AdminApi api, string? service, string projection, CancellationToken cancellationToken)
    {
        foreach (var (name, result) in await Collect(api, service, "projections", cancellationToken))
        {
            if (result.EnumerateArray().Any(p => string.Equals(Text(p, "name"), projection, StringComparison.OrdinalIgnoreCase)))
                return name;
        }
        throw new CliException($"No service has a projection named {projection}; see `shopctl projections list`.");
    }

    /// <summary>The same admin path from every service (or the one asked for).</summary>
    public static async Task<IReadOnlyList<(string Service, JsonElement Result)>> Collect(AdminApi api, string? service, string path,
        CancellationToken cancellationToken)
    {
        if (service is not null && !AdminApi.Services.Contains(service))
            throw new CliException($"Unknown service {service}; one of {string.Join(", ", AdminApi.Services)}.");
        var results = new List<(string, JsonElement)>();
        foreach (var name in service is null ? AdminApi.Services : [service])
            results.Add((name, await api.Get(name, path, cancellationToken)));
        return results;
    }
}
