using System.Text.Json;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Shop.BuildingBlocks.Http;
using Shop.BuildingBlocks.Persistence;

namespace Shop.BuildingBlocks.Operations.Sagas;

/// <summary>A saga instance as stored: its state, its document version (optimistic concurrency), the version of the
/// event stream it writes (same id), and the whole document.</summary>
public record SagaDetails(
    Guid Id, string Saga, string? State, bool Finished, Guid? DocumentVersion, DateTimeOffset LastModified, long? StreamVersion, JsonElement Data);

public record StuckSaga(Guid Id, string Saga, string? State, DateTimeOffset LastModified, TimeSpan Idle);

public static class SagaEndpoints
{
    public static async Task<Results<Ok<SagaDetails>, ProblemHttpResult>> Show(
        Guid id, OperationsCatalog catalog, IDocumentStore store, ShopDatabase database, CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        foreach (var saga in catalog.Sagas)
        {
            await using var command = new NpgsqlCommand(
                $"select data::text, mt_version, mt_last_modified from {Table(store, saga)} where id = @id", connection);
            command.Parameters.AddWithValue("id", id);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
                continue;

            using var document = JsonDocument.Parse(reader.GetString(0));
            var data = document.RootElement.Clone();
            var version = reader.IsDBNull(1) ? (Guid?)null : reader.GetGuid(1);
            var modified = new DateTimeOffset(reader.GetDateTime(2), TimeSpan.Zero);
            await reader.CloseAsync();

            await using var session = store.QuerySession();
            var stream = await session.Events.FetchStreamStateAsync(id, cancellationToken);
            var state = data.TryGetProperty(saga.StateField, out var value) ? value.GetString() : null;
            return TypedResults.Ok(new SagaDetails(id, saga.Name, state, state is not null && saga.TerminalStates.Contains(state), version, modified,
                stream?.Version, data));
        }
        return Problems.NotFound("The saga");
    }

    /// <summary>Sagas that are not finished and have not moved for longer than <paramref name="olderThan"/> (default 15 minutes).</summary>
    public static async Task<Results<Ok<IReadOnlyList<StuckSaga>>, ValidationProblem>> Stuck(
        OperationsCatalog catalog, IDocumentStore store, ShopDatabase database, CancellationToken cancellationToken, TimeSpan? olderThan = null,
        int limit = 100)
    {
        var threshold = olderThan ?? TimeSpan.FromMinutes(15);
        if (Durations.Problem(threshold, "olderThan") is { } problem)
            return Problems.Validation("olderThan", problem + " For example 00:15:00.");
        if (limit is < 1 or > 1000)
            return Problems.Validation("limit", "The limit is between 1 and 1000.");

        var stuck = new List<StuckSaga>();
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        foreach (var saga in catalog.Sagas)
        {
            await using var command = new NpgsqlCommand(
                $"""
                 select id, data->>'{saga.StateField}', mt_last_modified, now() - mt_last_modified
                 from {Table(store, saga)}
                 where not (coalesce(data->>'{saga.StateField}', '') = any(@terminal)) and mt_last_modified < now() - @threshold
                 order by mt_last_modified limit @limit
                 """, connection);
            command.Parameters.AddWithValue("terminal", saga.TerminalStates.ToArray());
            command.Parameters.AddWithValue("threshold", threshold);
            command.Parameters.AddWithValue("limit", limit);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                stuck.Add(new StuckSaga(reader.GetGuid(0), saga.Name, reader.IsDBNull(1) ? null : reader.GetString(1),
                    new DateTimeOffset(reader.GetDateTime(2), TimeSpan.Zero), reader.GetTimeSpan(3)));
        }
        return TypedResults.Ok<IReadOnlyList<StuckSaga>>(stuck.OrderBy(s => s.LastModified).Take(limit).ToList());
    }

    static string Table(IDocumentStore store, SagaKind saga) => store.Options.FindOrResolveDocumentType(saga.SagaType).TableName.QualifiedName;
}
