using System.CommandLine;
using Spectre.Console;
using static Shop.OperatorCli.Output;

namespace Shop.OperatorCli.Commands;

public static class SagasCommands
{
    public static Command Build()
    {
        var sagas = new Command("sagas", "Checkout sagas (one per order)");
        var id = new Argument<Guid>("order-id") { Description = "The order id (the saga's correlation id)" };
        var show = new Command("show", "A saga's current state, document version and order stream version") { id };
        Cli.Handle(show, async (parse, api, output, cancellationToken) =>
        {
            var saga = await api.Get("orders", $"sagas/{parse.GetValue(id)}", cancellationToken);
            if (output.Json)
            {
                output.Print(saga);
                return;
            }
            var table = new Table().AddColumns("Saga", "State", "Finished", "Document version", "Stream version", "Last modified");
            table.AddRow(Safe(Text(saga, "saga")), Safe(Text(saga, "state")), Text(saga, "finished"), Text(saga, "documentVersion"),
                Text(saga, "streamVersion"), Safe(Text(saga, "lastModified")));
            output.Table(table);
            output.JsonBlock("saga document", saga.GetProperty("data"));
        });
        sagas.Add(show);

        var olderThan = new Option<TimeSpan>("--older-than")
        {
            Description = "Idle for longer than this (hh:mm:ss)", DefaultValueFactory = _ => TimeSpan.FromMinutes(15),
        };
        var stuck = new Command("stuck", "Unfinished sagas that have not moved for longer than a threshold") { olderThan };
        Cli.Handle(stuck, async (parse, api, output, cancellationToken) =>
        {
            var list = await api.Get("orders", $"sagas/stuck?olderThan={Uri.EscapeDataString(parse.GetValue(olderThan).ToString("c"))}", cancellationToken);
            if (output.Json)
            {
                output.Print(list);
                return;
            }
            var table = new Table().AddColumns("Order", "Saga", "State", "Last modified", "Idle");
            foreach (var s in list.EnumerateArray())
                table.AddRow(Text(s, "id"), Safe(Text(s, "saga")), Safe(Text(s, "state")), Safe(Text(s, "lastModified")), Safe(Text(s, "idle")));
            output.Table(table);
            output.Line($"{list.GetArrayLength()} stuck saga(s) idle for more than {parse.GetValue(olderThan)}");
        });
        sagas.Add(stuck);
        return sagas;
    }
}
