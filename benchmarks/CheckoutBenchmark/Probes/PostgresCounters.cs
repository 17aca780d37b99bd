using Npgsql;

namespace Shop.Benchmarks.Checkout.Probes;

/// <summary>The shop database's cumulative counters (pg_stat_database) and the cluster's WAL position.</summary>
public sealed record PostgresCounters(long Commits, long Rollbacks, long Inserted, long Updated, long Deleted, long WalBytes)
{
    public static async Task<PostgresCounters> ReadAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            select xact_commit, xact_rollback, tup_inserted, tup_updated, tup_deleted, (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint
            from pg_stat_database where datname = current_database()
            """, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            throw new BenchmarkException("pg_stat_database has no row for the shop database");
        return new PostgresCounters(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5));
    }

    public static PostgresCounters operator -(PostgresCounters after, PostgresCounters before) => new(
        after.Commits - before.Commits, after.Rollbacks - before.Rollbacks, after.Inserted - before.Inserted,
        after.Updated - before.Updated, after.Deleted - before.Deleted, after.WalBytes - before.WalBytes);
}
