using System.Text.Json;
using System.Text.Json.Serialization;
using JasperFx.Events;
using Marten;
using Npgsql;
using Shop.BuildingBlocks.Http;
using Shop.BuildingBlocks.Persistence;

namespace Shop.BuildingBlocks.Operations.Streams;

/// <summary>
/// Event streams of one kind in the service's Marten event store. Listing joins mt_streams with the stream's stored
/// snapshot document (for the customer and status filters); time travel folds the events with AggregateStreamAsync.
/// </summary>
public sealed class MartenStreamSource<TState>(IDocumentStore store, ShopDatabase database, EventStreamKind kind) : IStreamSource
    where TState : class
{
    internal static readonly JsonSerializerOptions StateJson = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public string Kind => kind.Kind;

    public IReadOnlyCollection<string> Filters { get; } =
        new[] { kind.CustomerField is null ? null : "customer", kind.StatusField is null ? null : "status" }.OfType<string>().ToList();

    public async Task<StreamPage> List(StreamQuery query, CancellationToken cancellationToken)
    {
        var streams = $"{store.Options.Events.DatabaseSchemaName}.mt_streams";
        var documents = store.Options.FindOrResolveDocumentType(typeof(TState)).TableName.QualifiedName;
        var customer = kind.CustomerField is null ? "null::text" : $"d.data->>'{kind.CustomerField}'";
        var status = kind.StatusField is null ? "null::text" : $"d.data->>'{kind.StatusField}'";

        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"""
             with matching as (
               select s.id, s.version, s.created, s.timestamp, {customer} as customer, {status} as status
               from {streams} s left join {documents} d on d.id = s.id
               where (@customer::text is null or {customer} = @customer)
                 and (@status::text is null or lower({status}) = lower(@status))
                 and (@from::timestamptz is null or s.created >= @from)
                 and (@to::timestamptz is null or s.created < @to))
             select m.*, (select count(*) from matching) from matching m
             order by m.created desc, m.id
             limit @take offset @skip
             """, connection);
        command.Parameters.AddWithValue("customer", NpgsqlTypes.NpgsqlDbType.Text, (object?)query.Customer ?? DBNull.Value);
        command.Parameters.AddWithValue("status", NpgsqlTypes.NpgsqlDbType.Text, (object?)query.Status ?? DBNull.Value);
        command.Parameters.AddWithValue("from", NpgsqlTypes.NpgsqlDbType.TimestampTz, (object?)query.From?.UtcDateTime ?? DBNull.Value);
        command.Parameters.AddWithValue("to", NpgsqlTypes.NpgsqlDbType.TimestampTz, (object?)query.To?.UtcDateTime ?? DBNull.Value);
        command.Parameters.AddWithValue("take", query.PageSize);
        command.Parameters.AddWithValue("skip", Paging.Skip(query.Page, query.PageSize));

        var items = new List<StreamSummary>();
        long? total = null;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                items.Add(new StreamSummary(reader.GetGuid(0), Kind, reader.GetInt64(1), Timestamp(reader, 2), Timestamp(reader, 3),
                    reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5)));
                total = reader.GetInt64(6);
            }
        }
        // A page past the end returns no rows, and so no total: the client asked beyond it, the total is then unknown (0).
        return new StreamPage(items, total ?? 0, query.Page, query.PageSize);
    }

    public async Task<StreamDetails?> Show(Guid id, CancellationToken cancellationToken)
    {
        await using var session = store.QuerySession();
        var events = await session.Events.FetchStreamAsync(id, token: cancellationToken);
        if (events.Count == 0)
            return null;
        return new StreamDetails(id, Kind, events[^1].Version, events.Select(Describe).ToList());
    }

    public async Task<StateResult> StateAt(Guid id, StateQuery query, CancellationToken cancellationToken)
    {
        await using var session = store.QuerySession();
        var stream = await session.Events.FetchStreamStateAsync(id, cancellationToken);
        if (stream is null)
            return new StateResult.NoStream();

        TState? state;
        long version;
        if (query.At is { } at)
        {
            var upTo = await session.Events.FetchStreamAsync(id, timestamp: at, token: cancellationToken);
            if (upTo.Count == 0)
                return new StateResult.OutOfRange($"The stream began at {stream.Created:O}, after {at:O}.");
            version = upTo[^1].Version;
            state = await session.Events.AggregateStreamAsync<TState>(id, timestamp: at, token: cancellationToken);
        }
        else
        {
            version = query.Version ?? stream.Version;
            if (version > stream.Version)
                return new StateResult.OutOfRange($"The stream has {stream.Version} events; version {version} does not exist yet.");
            state = await session.Events.AggregateStreamAsync<TState>(id, version, token: cancellationToken);
        }

        return state is null
            ? new StateResult.OutOfRange("The events up to that point do not make a state.")
            : new StateResult.Found(new StreamState(id, Kind, version, query.At, JsonSerializer.SerializeToElement(state, StateJson)));
    }

    static StreamEvent Describe(IEvent e)
    {
        var headers = e.Headers?.ToDictionary(h => h.Key, h => (object?)h.Value);
        var user = e.Headers is { } all && all.TryGetValue(ActingUser.EventHeader, out var value) ? value?.ToString() : null;
        return new StreamEvent(e.Version, e.Sequence, e.Data.GetType().Name, e.Timestamp, e.Data, e.CorrelationId, e.CausationId, user, headers);
    }

    static DateTimeOffset? Timestamp(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : new DateTimeOffset(reader.GetDateTime(ordinal), TimeSpan.Zero);
}
