using Npgsql;

namespace Shop.Messaging.Outbox;

/// <summary>
/// What the outbox holds right now: messages committed but not yet confirmed by the broker (normally gone within
/// milliseconds), scheduled messages not yet due, and dead rows waiting for an operator.
/// </summary>
public record OutboxBacklog(long Unsent, DateTimeOffset? OldestUnsent, long Scheduled, DateTimeOffset? NextDue, long Dead)
{
    public static async Task<OutboxBacklog> Read(NpgsqlDataSource database, MessagingTables tables, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            $"""
             select count(*) filter (where dead_at is null and (scheduled_for is null or scheduled_for <= now())),
                    min(created_at) filter (where dead_at is null and (scheduled_for is null or scheduled_for <= now())),
                    count(*) filter (where dead_at is null and scheduled_for > now()),
                    min(scheduled_for) filter (where dead_at is null and scheduled_for > now()),
                    count(*) filter (where dead_at is not null)
             from {tables.Outbox}
             """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        DateTimeOffset? Instant(int i) => reader.IsDBNull(i) ? null : reader.GetFieldValue<DateTimeOffset>(i);
        return new OutboxBacklog(reader.GetInt64(0), Instant(1), reader.GetInt64(2), Instant(3), reader.GetInt64(4));
    }
}
