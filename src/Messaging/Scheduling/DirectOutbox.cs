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
/// <para>
/// While the database is away (the usual reason a redelivery is needed at all) the write is tried again every second
/// for up to <see cref="MessagingOptions.DatabaseOutageWait"/>: giving up would move the message to its error queue,
/// where only an operator finds it, while waiting keeps it unacknowledged and safe on the broker.
/// </para>
/// </summary>
public sealed class DirectOutbox(NpgsqlDataSource database, MessagingTables tables, MessagingOptions options, IServiceProvider services)
    : OutboxSendContext
{
    public IMessageScheduler Scheduler(ISendEndpointProvider broker, IBusTopology topology) =>
        new MessageScheduler(new OutboxScheduleMessageProvider(new OutboxSendEndpointProvider(this, broker), CancelScheduled), topology);

    public async Task AddSend<T>(SendContext<T> context) where T : class
    {
        var envelope = OutboxEnvelope.From(context);
        var values = envelope.InsertValues().Append(OutboxEnvelope.Utc(envelope.DueAt ?? DateTime.UtcNow)).ToArray();
        await Execute($"insert into {tables.Outbox} ({OutboxEnvelope.InsertColumns}) values ({Parameters(values.Length)}) on conflict (id) do nothing",
            values, context.CancellationToken);
    }

    Task CancelScheduled(Guid tokenId) => Execute($"delete from {tables.Outbox} where id = $1", [tokenId], CancellationToken.None);

    // Both statements are idempotent, so a write whose outcome was lost with the connection can safely be made again.
    Task Execute(string sql, object?[] values, CancellationToken cancellationToken) => DatabaseOutage.WaitOut(async attempt =>
    {
        await using var command = database.CreateCommand(sql);
        foreach (var value in values)
            command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        await command.ExecuteNonQueryAsync(attempt);
    }, options.DatabaseOutageWait, TimeSpan.FromSeconds(1), cancellationToken);

    static string Parameters(int count) => string.Join(", ", Enumerable.Range(1, count).Select(i => $"${i}"));

    public object? GetService(Type serviceType) => services.GetService(serviceType);
}
