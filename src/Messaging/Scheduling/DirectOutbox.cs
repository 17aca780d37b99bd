using MassTransit;
using MassTransit.Middleware;
using MassTransit.Middleware.Outbox;
using MassTransit.Scheduling;
using Npgsql;

namespace Shop.Messaging.Outbox;

/// <summary>
/// Writes outbox rows at once, each in its own one-statement transaction, for messages produced outside any unit of
/// work: above all MassTransit's scheduled redelivery, which reschedules a message after its consumer's transaction
/// rolled back. A row that is already there (the same redelivery written twice) is left as it is.
/// </summary>
public sealed class DirectOutbox(NpgsqlDataSource database, MessagingTables tables, IServiceProvider services) : OutboxSendContext
{
    public IMessageScheduler Scheduler(ISendEndpointProvider broker, IBusTopology topology) =>
        new MessageScheduler(new OutboxScheduleMessageProvider(new OutboxSendEndpointProvider(this, broker), CancelScheduled), topology);

    public async Task AddSend<T>(SendContext<T> context) where T : class
    {
        var envelope = OutboxEnvelope.From(context);
        var values = envelope.InsertValues().Append(OutboxEnvelope.Utc(envelope.DueAt ?? DateTime.UtcNow)).ToArray();
        await using var command = database.CreateCommand(
            $"insert into {tables.Outbox} ({OutboxEnvelope.InsertColumns}) values ({Parameters(values.Length)}) on conflict (id) do nothing");
        foreach (var value in values)
            command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        await command.ExecuteNonQueryAsync(context.CancellationToken);
    }

    async Task CancelScheduled(Guid tokenId)
    {
        await using var command = database.CreateCommand($"delete from {tables.Outbox} where id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = tokenId });
        await command.ExecuteNonQueryAsync();
    }

    static string Parameters(int count) => string.Join(", ", Enumerable.Range(1, count).Select(i => $"${i}"));

    public object? GetService(Type serviceType) => services.GetService(serviceType);
}
