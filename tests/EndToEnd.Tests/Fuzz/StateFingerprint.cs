using Npgsql;
using Shop.Testing;

namespace Shop.EndToEnd.Tests.Fuzz;

/// <summary>
/// Everything the services store, summed up per table: row count and a hash of the rows' data (each row as JSON without
/// Marten's bookkeeping columns mt_last_modified and mt_version, which a write of identical data would move), plus the
/// messages waiting in dead-letter queues. Two fingerprints differ exactly when stored data differs.
/// </summary>
public sealed class StateFingerprint
{
    public static readonly string[] Schemas = ["identity", "inventory", "cart", "orders", "payments", "notifications"];

    /// <summary>Bookkeeping that moves on its own: the async daemon's heartbeat of its (unchanged) position.</summary>
    static readonly string[] Ignored = ["mt_event_progression"];

    readonly Dictionary<string, (long Rows, string Hash)> _tables = new();

    public int Tables => _tables.Count;
    public long DeadLetters { get; private set; }

    public static async Task<StateFingerprint> TakeAsync(ShopCluster cluster)
    {
        var fingerprint = new StateFingerprint();
        await using var connection = new NpgsqlConnection(cluster.Database.ConnectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand(
                         "select table_schema || '.' || table_name from information_schema.tables where table_schema = any(@schemas) and table_type = 'BASE TABLE' order by 1",
                         connection))
        {
            list.Parameters.AddWithValue("schemas", Schemas);
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                tables.Add(reader.GetString(0));
        }
        foreach (var table in tables.Where(t => !Ignored.Contains(t.Split('.')[1])))
        {
            var (schema, name) = (table.Split('.')[0], table.Split('.')[1]);
            await using var command = new NpgsqlCommand(
                $"""
                 select count(*), coalesce(md5(string_agg(h, '' order by h)), '')
                 from (select md5((to_jsonb(t) - 'mt_last_modified' - 'mt_version')::text) as h from "{schema}"."{name}" t) rows
                 """, connection);
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            fingerprint._tables[table] = (reader.GetInt64(0), reader.GetString(1));
        }
        fingerprint.DeadLetters = await cluster.VirtualHost.MessagesInErrorQueuesAsync();
        return fingerprint;
    }

    /// <summary>What differs, in words ("orders.mt_events: 12 rows -> 13 rows").</summary>
    public List<string> Differences(StateFingerprint after)
    {
        var differences = new List<string>();
        foreach (var table in _tables.Keys.Union(after._tables.Keys).Order())
        {
            var before = _tables.GetValueOrDefault(table, (-1, ""));
            var now = after._tables.GetValueOrDefault(table, (-1, ""));
            if (before != now)
                differences.Add(before.Rows == now.Rows ? $"{table}: {now.Rows} rows, contents changed" : $"{table}: {before.Rows} rows -> {now.Rows} rows");
        }
        if (DeadLetters != after.DeadLetters)
            differences.Add($"dead letters: {DeadLetters} -> {after.DeadLetters}");
        return differences;
    }
}
