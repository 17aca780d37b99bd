using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using static Shop.OperatorCli.Output;

namespace Shop.OperatorCli.Commands;

public static class SubscriptionsCommands
{
    public static Command Build()
    {
        var subscriptions = new Command("subscriptions", "What delivers changes onward: event subscriptions (relays) and each service's outbox relay");
        subscriptions.Add(ListCommand());
        subscriptions.Add(RewindCommand());
        return subscriptions;
    }

    static Command ListCommand()
    {
        var service = new Option<string?>("--service", "-s") { Description = "Only this service" };
        var command = new Command("list", "Positions and lag of the event subscriptions; pending messages of the outbox relays") { service };
        Cli.Handle(command, async (parse, api, output, cancellationToken) =>
        {
            var all = await ProjectionsCommands.Collect(api, parse.GetValue(service), "subscriptions", cancellationToken);
            if (output.Json)
            {
                output.Print(JsonSerializer.SerializeToElement(all.ToDictionary(p => p.Service, p => p.Result)));
                return;
            }
            var table = new Table().AddColumns("Service", "Name", "Kind", "Position", "High water", "Lag", "Status", "Pending", "Oldest pending");
            foreach (var (name, result) in all)
            foreach (var s in result.EnumerateArray())
                table.AddRow(name, Safe(Text(s, "name")), Text(s, "kind"), Text(s, "position"), Text(s, "highWaterMark"), Text(s, "lag"),
                    Safe(Text(s, "status")), Text(s, "pending"), Safe(Text(s, "oldestPending")));
            output.Table(table);
        });
        return command;
    }

    static Command RewindCommand()
    {
        var name = new Argument<string>("name") { Description = "The subscription, e.g. OrderStatusRelay" };
        var to = new Option<long>("--to") { Description = "Event sequence to go back to: every event after it is delivered again (0: all)", Required = true };
        var service = new Option<string?>("--service", "-s") { Description = "The service that runs it (found from `subscriptions list` otherwise)" };
        var command = new Command("rewind", "Replays events to a subscriber; consumers drop what they already processed (same message ids)") { name, to, service };
        Cli.Handle(command, async (parse, api, output, cancellationToken) =>
        {
            var subscription = parse.GetValue(name)!;
            var owner = parse.GetValue(service);
            if (owner is null)
            {
                foreach (var (candidate, result) in await ProjectionsCommands.Collect(api, null, "subscriptions", cancellationToken))
                {
                    if (result.EnumerateArray().Any(s => Text(s, "kind") == "event-subscription"
                                                         && string.Equals(Text(s, "name"), subscription, StringComparison.OrdinalIgnoreCase)))
                        owner = candidate;
                }
                if (owner is null)
                    throw new CliException($"No service runs an event subscription named {subscription}; see `shopctl subscriptions list`.");
            }
            var rewound = await api.Post(owner, $"subscriptions/{Uri.EscapeDataString(subscription)}/rewind", new { to = parse.GetValue(to) }, cancellationToken);
            if (output.Json)
                output.Print(rewound);
            else
                output.Line($"Rewound {Safe(Text(rewound, "name"))} in {owner} from sequence {Text(rewound, "from")} to {Text(rewound, "to")}: " +
                            $"events {Text(rewound, "to")}+1..{Text(rewound, "highWaterMark")} are being delivered again.");
        });
        return command;
    }
}
