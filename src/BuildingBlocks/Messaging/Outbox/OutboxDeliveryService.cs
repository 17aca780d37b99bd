using Marten;
using MassTransit;
using MassTransit.Middleware;
using MassTransit.Serialization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Shop.BuildingBlocks.Persistence;

namespace Shop.BuildingBlocks.Messaging.Outbox;

/// <summary>
/// Relays committed bus outbox rows (HTTP handlers' messages and due scheduled messages) to RabbitMQ with publisher
/// confirms, then deletes them. Rows are claimed with FOR UPDATE SKIP LOCKED, so several instances share the work
/// without sending a row twice; a crash after sending but before the delete re-sends it, and the receiving inbox
/// drops the duplicate (the message id is kept).
/// </summary>
public sealed class OutboxDeliveryService(
    IDocumentStore store,
    ShopDatabase database,
    IBus bus,
    OutboxSignal signal,
    ILogger<OutboxDeliveryService> logger) : BackgroundService
{
    const int BatchSize = 100;
    static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    static readonly TimeSpan InboxRetention = TimeSpan.FromDays(7);
    DateTime _nextCleanup = DateTime.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                int delivered;
                do delivered = await DeliverBatchAsync(stoppingToken);
                while (delivered == BatchSize && !stoppingToken.IsCancellationRequested);

                if (DateTime.UtcNow >= _nextCleanup)
                {
                    await RemoveExpiredInboxStatesAsync(stoppingToken);
                    _nextCleanup = DateTime.UtcNow.AddMinutes(10);
                }

                failures = 0;
                await signal.WaitAsync(PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                failures++;
                var backoff = TimeSpan.FromMilliseconds(Math.Min(30_000, 250 * Math.Pow(2, Math.Min(failures, 7))));
                logger.LogWarning(exception, "Outbox delivery failed (attempt {Attempt}); retrying in {Backoff}", failures, backoff);
                try { await Task.Delay(backoff, stoppingToken); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    async Task<int> DeliverBatchAsync(CancellationToken cancellationToken)
    {
        var table = database.Table<OutboxMessage>();
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        var rows = new List<OutboxMessage>();
        await using (var select = new NpgsqlCommand(
            $"""
             select data::text from {table}
             where (data->>'OutboxId') is not null
               and coalesce((data->>'EnqueueTime')::timestamptz, '-infinity') <= now()
             order by (data->>'SequenceNumber')::bigint
             limit {BatchSize}
             for update skip locked
             """, connection, transaction))
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            var serializer = store.Options.Serializer();
            while (await reader.ReadAsync(cancellationToken))
                rows.Add(serializer.FromJson<OutboxMessage>(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(reader.GetString(0)))));
        }

        if (rows.Count == 0)
            return 0;

        var sent = new List<Guid>(rows.Count);
        try
        {
            foreach (var message in rows)
            {
                message.Deserialize(SystemTextJsonMessageSerializer.Instance);
                if (message.DestinationAddress is { } destination)
                {
                    var endpoint = await bus.GetSendEndpoint(destination);
                    await endpoint.Send(new SerializedMessageBody(), new OutboxMessageSendPipe(message, destination), cancellationToken);
                }
                else
                    logger.LogWarning("Outbox message {MessageId} has no destination and is dropped", message.MessageId);

                sent.Add(message.Id);
            }
        }
        finally
        {
            if (sent.Count > 0)
            {
                await using var delete = new NpgsqlCommand($"delete from {table} where id = any(@ids)", connection, transaction);
                delete.Parameters.AddWithValue("ids", sent.ToArray());
                await delete.ExecuteNonQueryAsync(CancellationToken.None);
                await transaction.CommitAsync(CancellationToken.None);
            }
        }

        return rows.Count;
    }

    async Task RemoveExpiredInboxStatesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var delete = new NpgsqlCommand(
            $"delete from {database.Table<InboxState>()} where (data->>'Delivered')::timestamptz < @cutoff", connection);
        delete.Parameters.AddWithValue("cutoff", DateTime.UtcNow - InboxRetention);
        var removed = await delete.ExecuteNonQueryAsync(cancellationToken);
        if (removed > 0)
            logger.LogInformation("Removed {Count} inbox entries older than {Retention}", removed, InboxRetention);
    }

    ValueTask<NpgsqlConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        database.DataSource.OpenConnectionAsync(cancellationToken);
}
