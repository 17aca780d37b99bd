using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Shop.Messaging.Outbox;

/// <summary>
/// Sends the outbox rows nobody else will: scheduled messages when they are due, and rows whose committing process did
/// not confirm them within its lease (it died, or the broker was away). Runs on every instance of a service.
/// <para>
/// A claim is one statement: it moves the due rows' visible_at a lease ahead (and counts the attempt) under
/// FOR UPDATE SKIP LOCKED, then commits. So two relays never take the same row, and no transaction is open while the
/// broker is called. A sent row goes to <see cref="SentOutboxCleaner"/>; a row that fails is retried later with a
/// growing pause, and after <see cref="MessagingOptions.MaxSendAttempts"/> attempts it is set aside as dead (listed and
/// re-driven through the errors API). A bad row never holds up the rows behind it.
/// </para>
/// </summary>
public sealed class OutboxRelay(
    NpgsqlDataSource database,
    MessagingTables tables,
    OutboxDispatcher dispatcher,
    SentOutboxCleaner cleaner,
    MessagingOptions options,
    ILogger<OutboxRelay> logger) : BackgroundService
{
    long _sent;
    long _failed;

    /// <summary>Rows this instance's relay sent / failed to send since it started.</summary>
    public (long Sent, long Failed) Counts => (Interlocked.Read(ref _sent), Interlocked.Read(ref _failed));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                int claimed;
                do claimed = await RelayBatchAsync(stoppingToken);
                while (claimed == options.RelayBatchSize && !stoppingToken.IsCancellationRequested);
                failures = 0;
                await Task.Delay(options.RelayPollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                failures++;
                var pause = TimeSpan.FromMilliseconds(Math.Min(30_000, 250 * Math.Pow(2, Math.Min(failures, 7))));
                logger.LogWarning(exception, "The outbox relay failed (attempt {Attempt}); trying again in {Pause}", failures, pause);
                try { await Task.Delay(pause, stoppingToken); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    /// <summary>Claims due rows and sends them; returns how many were claimed.</summary>
    public async Task<int> RelayBatchAsync(CancellationToken cancellationToken)
    {
        var rows = await ClaimAsync(cancellationToken);
        if (rows.Count == 0)
            return 0;

        var sends = rows.Select(async row =>
        {
            if (row.Envelope is null)
                return (row, row.ReadError);
            return (row, await dispatcher.TrySend(row.Envelope, cancellationToken));
        });
        foreach (var (row, failure) in await Task.WhenAll(sends))
        {
            if (failure is null)
            {
                Interlocked.Increment(ref _sent);
                cleaner.Remove(row.Id);
            }
            else
            {
                Interlocked.Increment(ref _failed);
                await RecordFailureAsync(row.Id, row.Attempts, failure, cancellationToken);
            }
        }
        return rows.Count;
    }

    sealed record ClaimedRow(Guid Id, int Attempts, OutboxEnvelope? Envelope, Exception? ReadError);

    async Task<List<ClaimedRow>> ClaimAsync(CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            // The claim's rows are picked once (a materialized CTE): an IN (subquery) could be evaluated again for a row
            // another relay changed meanwhile, and then claim rows that relay already has.
            $"""
             with due as materialized (
                 select id from {tables.Outbox} where visible_at <= now() and dead_at is null
                 order by visible_at limit $2 for update skip locked)
             update {tables.Outbox} o set visible_at = now() + make_interval(secs => $1), attempts = o.attempts + 1
             from due where o.id = due.id
             returning {OutboxEnvelopeColumns}
             """);
        command.Parameters.Add(new NpgsqlParameter { Value = options.DispatchLease.TotalSeconds });
        command.Parameters.Add(new NpgsqlParameter { Value = options.RelayBatchSize });
        var rows = new List<ClaimedRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var id = reader.GetGuid(0);
            var attempts = reader.GetInt32(17);
            try
            {
                rows.Add(new ClaimedRow(id, attempts, OutboxEnvelope.Read(reader), null));
            }
            catch (Exception exception)
            {
                rows.Add(new ClaimedRow(id, attempts, null, new InvalidDataException($"The outbox row cannot be read: {exception.Message}", exception)));
            }
        }
        return rows;
    }

    static readonly string OutboxEnvelopeColumns = string.Join(", ", OutboxEnvelope.SelectColumns.Split(", ").Select(c => $"o.{c}"));

    async Task RecordFailureAsync(Guid id, int attempts, Exception failure, CancellationToken cancellationToken)
    {
        var dead = attempts >= options.MaxSendAttempts;
        // 2, 4, 8... seconds, at most 5 minutes: a broker outage is ridden out without hammering it.
        var pause = TimeSpan.FromSeconds(Math.Min(300, Math.Pow(2, Math.Min(attempts, 9))));
        var error = $"{failure.GetType().Name}: {failure.Message}";
        if (dead)
            logger.LogError(failure, "Outbox row {Id} failed {Attempts} times and is set aside as dead (re-drive it through the errors API)", id, attempts);
        else
            logger.LogWarning(failure, "Outbox row {Id} failed (attempt {Attempts}); next attempt in {Pause}", id, attempts, pause);

        await using var command = database.CreateCommand(
            $"""
             update {tables.Outbox} set last_error = $2, visible_at = now() + make_interval(secs => $3),
                    dead_at = case when $4 then now() end
             where id = $1
             """);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        command.Parameters.Add(new NpgsqlParameter { Value = error.Length > 2000 ? error[..2000] : error });
        command.Parameters.Add(new NpgsqlParameter { Value = pause.TotalSeconds });
        command.Parameters.Add(new NpgsqlParameter { Value = dead });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
