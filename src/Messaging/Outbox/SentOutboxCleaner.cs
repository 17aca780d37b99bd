using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Shop.Messaging.Outbox;

/// <summary>
/// Deletes outbox rows the broker has confirmed, many per statement: one delete for everything confirmed in the last
/// moment instead of one transaction per message. A row whose delete is lost (the process died first) is sent once
/// more by the relay after its lease, and the receiver's inbox drops that copy.
/// </summary>
public sealed class SentOutboxCleaner(NpgsqlDataSource database, MessagingTables tables, ILogger<SentOutboxCleaner> logger) : BackgroundService
{
    const int MaxBatch = 2000;
    static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(50);
    readonly Channel<Guid> _sent = Channel.CreateUnbounded<Guid>(new UnboundedChannelOptions { SingleReader = true });

    public void Remove(Guid id) => _sent.Writer.TryWrite(id);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Guid>(MaxBatch);
        try
        {
            while (await _sent.Reader.WaitToReadAsync(stoppingToken))
            {
                // Let a moment's confirms gather, so a busy service deletes in large batches.
                await Task.Delay(Gather, stoppingToken);
                while (batch.Count < MaxBatch && _sent.Reader.TryRead(out var id))
                    batch.Add(id);
                await DeleteAsync(batch, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        // Whatever was confirmed before shutdown: delete it now rather than have the relay send it again.
        while (_sent.Reader.TryRead(out var id))
            batch.Add(id);
        await DeleteAsync(batch, CancellationToken.None);
    }

    async Task DeleteAsync(List<Guid> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
            return;
        try
        {
            await using var command = database.CreateCommand($"delete from {tables.Outbox} where id = any($1)");
            command.Parameters.Add(new NpgsqlParameter { Value = batch.ToArray() });
            await command.ExecuteNonQueryAsync(cancellationToken);
            batch.Clear();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Kept for the next round; if it never succeeds, the relay re-sends the rows and receivers drop the copies.
            logger.LogWarning(exception, "Deleting {Count} sent outbox rows failed; retrying with the next batch", batch.Count);
            if (batch.Count > 10 * MaxBatch)
                batch.Clear();
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
    }
}
