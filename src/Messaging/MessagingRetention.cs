using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Shop.Messaging;

/// <summary>
/// Keeps the messaging tables small: inbox records older than <see cref="MessagingOptions.InboxRetention"/> go (no
/// redelivery can be that late), in bounded batches so no statement runs long; and whatever else registered an
/// <see cref="IRetentionTask"/> (finished sagas) runs on the same schedule. Sent outbox rows need nothing here: they
/// are deleted as soon as the broker confirms them.
/// </summary>
public sealed class MessagingRetention(
    NpgsqlDataSource database,
    MessagingTables tables,
    MessagingOptions options,
    IServiceScopeFactory scopes,
    ILogger<MessagingRetention> logger) : BackgroundService
{
    const int BatchSize = 5000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogWarning(exception, "Messaging retention failed; trying again in {Interval}", options.RetentionInterval);
            }
            try { await Task.Delay(options.RetentionInterval, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>One pass: returns how many inbox records and other rows were removed.</summary>
    public async Task<(long Inbox, long Other)> RunOnceAsync(CancellationToken cancellationToken)
    {
        long inbox = 0, removed;
        do
        {
            await using var command = database.CreateCommand(
                $"delete from {tables.Inbox} where ctid in (select ctid from {tables.Inbox} where consumed_at < now() - make_interval(secs => $1) limit {BatchSize})");
            command.Parameters.Add(new NpgsqlParameter { Value = options.InboxRetention.TotalSeconds });
            removed = await command.ExecuteNonQueryAsync(cancellationToken);
            inbox += removed;
        }
        while (removed == BatchSize);

        long other = 0;
        await using (var scope = scopes.CreateAsyncScope())
        {
            foreach (var task in scope.ServiceProvider.GetServices<IRetentionTask>())
                other += await task.RunAsync(cancellationToken);
        }
        if (inbox + other > 0)
            logger.LogInformation("Retention removed {Inbox} inbox records and {Other} other rows", inbox, other);
        return (inbox, other);
    }
}

/// <summary>Something old to remove on the retention schedule (e.g. sagas finished long ago); returns how much it removed.</summary>
public interface IRetentionTask
{
    Task<long> RunAsync(CancellationToken cancellationToken);
}
