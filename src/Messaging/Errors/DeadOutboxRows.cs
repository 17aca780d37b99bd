using Npgsql;

namespace Shop.Messaging.Errors;

/// <summary>An outbox row the relay gave up on after <see cref="MessagingOptions.MaxSendAttempts"/> attempts.</summary>
public record DeadOutboxRow(Guid Id, Guid MessageId, string MessageType, string Destination, int Attempts, string? LastError,
    DateTimeOffset CreatedAt, DateTimeOffset DeadAt, string BodyPreview);

/// <summary>The outbox's dead rows: listed for operators and put back in line (attempts reset) when they say so.</summary>
public sealed class DeadOutboxRows(NpgsqlDataSource database, MessagingTables tables)
{
    public async Task<IReadOnlyList<DeadOutboxRow>> List(int limit, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            $"""
             select id, message_id, message_type, destination, attempts, last_error, created_at, dead_at, left(body, 2000)
             from {tables.Outbox} where dead_at is not null order by dead_at limit $1
             """);
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        var rows = new List<DeadOutboxRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            rows.Add(new DeadOutboxRow(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4),
                reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetFieldValue<DateTimeOffset>(6), reader.GetFieldValue<DateTimeOffset>(7),
                reader.GetString(8)));
        return rows;
    }

    public async Task<long> Count(CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand($"select count(*) from {tables.Outbox} where dead_at is not null");
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Gives the listed rows (by row id or message id; all dead rows when none are given) a fresh set of attempts now.</summary>
    public async Task<int> Redrive(IReadOnlyCollection<string>? ids, CancellationToken cancellationToken)
    {
        var wanted = (ids ?? []).Select(id => Guid.TryParse(id, out var guid) ? guid : (Guid?)null).OfType<Guid>().ToArray();
        if (ids is { Count: > 0 } && wanted.Length == 0)
            return 0;
        await using var command = database.CreateCommand(
            $"""
             update {tables.Outbox} set dead_at = null, attempts = 0, last_error = null, visible_at = now()
             where dead_at is not null and (cardinality($1::uuid[]) = 0 or id = any($1) or message_id = any($1))
             """);
        command.Parameters.Add(new NpgsqlParameter { Value = wanted });
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
