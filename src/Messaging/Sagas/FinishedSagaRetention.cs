using Marten;
using Npgsql;

namespace Shop.Messaging.Sagas;

/// <summary>
/// Removes saga documents that reached a terminal state and have not changed for
/// <see cref="MessagingOptions.FinishedSagaRetention"/>: long enough for any straggler (a late payment answer, a
/// redelivery) to have found its saga, after which a message for it is discarded like one for an unknown order. The
/// order's own history (its event stream and read model) is not touched. In bounded batches, by the indexed
/// last-modified column.
/// </summary>
public sealed class FinishedSagaRetention<TSaga>(IDocumentStore store, NpgsqlDataSource database, MessagingOptions options,
    FinishedSagaStates<TSaga> states) : IRetentionTask
    where TSaga : class
{
    const int BatchSize = 5000;

    public async Task<long> RunAsync(CancellationToken cancellationToken)
    {
        var table = store.Options.FindOrResolveDocumentType(typeof(TSaga)).TableName.QualifiedName;
        long total = 0, removed;
        do
        {
            await using var command = database.CreateCommand(
                $"""
                 delete from {table} where id in (
                     select id from {table}
                     where mt_last_modified < now() - make_interval(secs => $1) and data->>'{states.StateField}' = any($2)
                     limit {BatchSize})
                 """);
            command.Parameters.Add(new NpgsqlParameter { Value = options.FinishedSagaRetention.TotalSeconds });
            command.Parameters.Add(new NpgsqlParameter { Value = states.Terminal.ToArray() });
            removed = await command.ExecuteNonQueryAsync(cancellationToken);
            total += removed;
        }
        while (removed == BatchSize);
        return total;
    }
}

/// <summary>Which states of <typeparamref name="TSaga"/> are final, and where the state is stored.</summary>
public sealed record FinishedSagaStates<TSaga>(IReadOnlyCollection<string> Terminal, string StateField = "CurrentState");
