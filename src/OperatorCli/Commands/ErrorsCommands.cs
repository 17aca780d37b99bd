using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using static Shop.OperatorCli.Output;

namespace Shop.OperatorCli.Commands;

public static class ErrorsCommands
{
    public static Command Build()
    {
        var errors = new Command("errors", "Dead-lettered messages (retries and redeliveries exhausted)");

        var service = new Option<string?>("--service", "-s") { Description = "Only this service" };
        var limit = new Option<int>("--limit") { Description = "At most this many messages per service", DefaultValueFactory = _ => 50 };
        var list = new Command("list", "Dead letters of every service, with their fault") { service, limit };
        Cli.Handle(list, async (parse, api, output, cancellationToken) =>
        {
            var all = await ProjectionsCommands.Collect(api, parse.GetValue(service), $"errors?limit={parse.GetValue(limit)}", cancellationToken);
            if (output.Json)
            {
                output.Print(JsonSerializer.SerializeToElement(all.ToDictionary(p => p.Service, p => p.Result)));
                return;
            }
            var table = new Table().AddColumns("Service", "Queue", "Message id", "Type", "Fault", "When", "Redeliveries");
            var count = 0;
            foreach (var (name, result) in all)
            foreach (var m in result.GetProperty("messages").EnumerateArray())
            {
                count++;
                table.AddRow(name, Safe(Text(m, "queue")), Safe(Text(m, "messageId")), Safe(Text(m, "messageType")),
                    Safe($"{Text(m, "faultExceptionType")}: {Text(m, "faultMessage")}"), Safe(Text(m, "faultTimestamp")), Text(m, "redeliveries"));
            }
            output.Table(table);
            output.Line($"{count} dead-lettered message(s)");
        });
        errors.Add(list);

        var redriveService = new Option<string?>("--service", "-s") { Description = "Only this service" };
        var messageIds = new Option<string[]>("--message-id") { Description = "Only these messages (repeatable); all of them otherwise", AllowMultipleArgumentsPerToken = true };
        var redrive = new Command("redrive", "Sends dead letters back to the queue they failed on") { redriveService, messageIds };
        Cli.Handle(redrive, async (parse, api, output, cancellationToken) =>
        {
            var ids = parse.GetValue(messageIds) is { Length: > 0 } given ? given : null;
            var results = new Dictionary<string, JsonElement>();
            foreach (var name in parse.GetValue(redriveService) is { } one ? [one] : AdminApi.Services)
                results[name] = await api.Post(name, "errors/redrive", new { messageIds = ids }, cancellationToken);
            if (output.Json)
            {
                output.Print(JsonSerializer.SerializeToElement(results));
                return;
            }
            var table = new Table().AddColumns("Service", "Redriven", "Kept", "Errors");
            foreach (var (name, r) in results)
                table.AddRow(name, Text(r, "redriven"), Text(r, "kept"), Safe(Text(r, "errors")));
            output.Table(table);
        });
        errors.Add(redrive);
        return errors;
    }
}
