using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using static Shop.OperatorCli.Output;

namespace Shop.OperatorCli.Commands;

public static class StreamsCommands
{
    static readonly string[] Types = ["order", "cart", "payment", "stock"];

    public static Command Build()
    {
        var streams = new Command("streams", "Event streams: carts, orders, payments and product stock (its movements)");
        streams.Add(ListCommand());
        streams.Add(ShowCommand());
        streams.Add(StateCommand());
        return streams;
    }

    static Option<string> TypeOption(bool required)
    {
        var option = new Option<string>("--type", "-t") { Description = "order, cart, payment or stock", Required = required };
        option.AcceptOnlyFromAmong(Types);
        return option;
    }

    static Command ListCommand()
    {
        var type = TypeOption(required: true);
        var customer = new Option<Guid?>("--customer") { Description = "Only this customer's streams (customer id)" };
        var status = new Option<string?>("--status") { Description = "Only streams whose state has this status (e.g. Completed, Open)" };
        var from = new Option<DateTimeOffset?>("--from") { Description = "Created at or after (e.g. 2026-11-01 or 2026-11-01T10:00Z)" };
        var to = new Option<DateTimeOffset?>("--to") { Description = "Created before" };
        var page = new Option<int>("--page") { Description = "Page number", DefaultValueFactory = _ => 1 };
        var pageSize = new Option<int>("--page-size") { Description = "Streams per page (1-200)", DefaultValueFactory = _ => 20 };
        var command = new Command("list", "Streams of a type, newest first") { type, customer, status, from, to, page, pageSize };
        Cli.Handle(command, async (parse, api, output, cancellationToken) =>
        {
            var kind = parse.GetValue(type)!;
            var query = new List<string> { $"type={kind}", $"page={parse.GetValue(page)}", $"pageSize={parse.GetValue(pageSize)}" };
            if (parse.GetValue(customer) is { } c) query.Add($"customer={c}");
            if (parse.GetValue(status) is { } s) query.Add($"status={Uri.EscapeDataString(s)}");
            if (parse.GetValue(from) is { } f) query.Add($"from={Uri.EscapeDataString(f.ToString("O", CultureInfo.InvariantCulture))}");
            if (parse.GetValue(to) is { } t) query.Add($"to={Uri.EscapeDataString(t.ToString("O", CultureInfo.InvariantCulture))}");

            var result = await api.Get(AdminApi.StreamServices[kind], "streams?" + string.Join("&", query), cancellationToken);
            if (output.Json)
            {
                output.Print(result);
                return;
            }
            var table = new Table();
            foreach (var column in new[] { "Id", "Version", "Customer", "Status", "Created", "Updated" })
                table.AddColumn(new TableColumn(column).NoWrap());
            foreach (var item in result.GetProperty("items").EnumerateArray())
                table.AddRow(Safe(Text(item, "id")), Text(item, "version"), Safe(Text(item, "customerId")), Safe(Text(item, "status")),
                    Safe(Text(item, "createdAt")), Safe(Text(item, "updatedAt")));
            output.Table(table);
            var total = result.GetProperty("total").GetInt64();
            var size = result.GetProperty("pageSize").GetInt32();
            var pages = Math.Max(1, (total + size - 1) / size);
            output.Line($"{kind} streams: page {result.GetProperty("page").GetInt32()} of {pages}, {total} in all");
        });
        return command;
    }

    static Command ShowCommand()
    {
        var id = new Argument<Guid>("id") { Description = "The stream id (order id, cart id, order id of a payment, product id)" };
        var type = TypeOption(required: false);
        var command = new Command("show", "Every event of a stream with its metadata") { id, type };
        Cli.Handle(command, async (parse, api, output, cancellationToken) =>
        {
            var (kind, details) = await FindStream(api, parse.GetValue(type), $"streams/{parse.GetValue(id)}", cancellationToken);
            if (output.Json)
            {
                output.Print(details);
                return;
            }
            output.Line($"[bold]{kind} stream {parse.GetValue(id)}[/], version {Text(details, "version")}");
            // Ids, times and users stay on one line each; the event's data wraps (all of it: --json for scripts).
            var table = new Table();
            foreach (var column in new[] { "Ver", "Seq", "Type", "Time", "User", "Correlation", "Causation" })
                table.AddColumn(new TableColumn(column).NoWrap());
            table.AddColumn("Data");
            foreach (var e in details.GetProperty("events").EnumerateArray())
                table.AddRow(Text(e, "version"), Text(e, "sequence"), Safe(Text(e, "type")), Safe(Text(e, "timestamp")), Safe(Text(e, "user")),
                    Safe(Text(e, "correlationId")), Safe(Text(e, "causationId")), Safe(Text(e, "data")));
            output.Table(table);
        });
        return command;
    }

    static Command StateCommand()
    {
        var id = new Argument<Guid>("id") { Description = "The stream id" };
        var type = TypeOption(required: false);
        var version = new Option<long?>("--at-version") { Description = "State after this many events" };
        var at = new Option<DateTimeOffset?>("--at-time") { Description = "State as of this time" };
        var command = new Command("state", "A stream's state at a version or a time (time travel); the current state without either")
            { id, type, version, at };
        command.Validators.Add(result =>
        {
            if (result.GetValue(version) is not null && result.GetValue(at) is not null)
                result.AddError("Give --at-version or --at-time, not both.");
        });
        Cli.Handle(command, async (parse, api, output, cancellationToken) =>
        {
            var query = parse.GetValue(version) is { } v ? $"?version={v}"
                : parse.GetValue(at) is { } t ? $"?at={Uri.EscapeDataString(t.ToString("O", CultureInfo.InvariantCulture))}" : "";
            var (kind, state) = await FindStream(api, parse.GetValue(type), $"streams/{parse.GetValue(id)}/state{query}", cancellationToken);
            if (output.Json)
            {
                output.Print(state);
                return;
            }
            output.JsonBlock($"{kind} {parse.GetValue(id)} at version {Text(state, "version")}", state.GetProperty("state"));
        });
        return command;
    }

    /// <summary>The stream in the service of its type, or (no type given) in the first service that has it.</summary>
    static async Task<(string Kind, JsonElement Result)> FindStream(AdminApi api, string? type, string path, CancellationToken cancellationToken)
    {
        foreach (var kind in type is null ? Types : [type])
        {
            if (await api.Find(AdminApi.StreamServices[kind], $"{path}{(path.Contains('?') ? "&" : "?")}type={kind}", cancellationToken) is { } found)
                return (kind, found);
        }
        throw new CliException(type is null ? "No order, cart, payment or stock stream has that id." : $"No {type} stream has that id.");
    }
}
