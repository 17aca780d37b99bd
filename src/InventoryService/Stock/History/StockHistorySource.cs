using System.Text.Json;
using Marten;
using Npgsql;
using Shop.BuildingBlocks.Http;
using Shop.BuildingBlocks.Operations.Streams;
using Shop.BuildingBlocks.Persistence;

namespace Shop.InventoryService.Stock.History;

/// <summary>
/// Product stock for operators, as a stream: stock is kept as documents (StockItem, optimistic concurrency) and every
/// change is a StockMovement, so a product's movements in time order are its history. Version N is the N-th movement;
/// time travel replays the movements onto an empty stock.
/// </summary>
public sealed class StockHistorySource(IDocumentStore store, ShopDatabase database) : IStreamSource
{
    public const string KindName = "stock";

    public string Kind => KindName;

    public IReadOnlyCollection<string> Filters => [];

    public async Task<StreamPage> List(StreamQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"""
             with histories as (
               select (data->>'ProductId')::uuid as id, count(*) as version,
                      min((data->>'At')::timestamptz) as created, max((data->>'At')::timestamptz) as updated
               from {database.Table<StockMovement>()} group by 1)
             select h.*, (select count(*) from histories where (@from::timestamptz is null or created >= @from)
                                                       and (@to::timestamptz is null or created < @to))
             from histories h
             where (@from::timestamptz is null or h.created >= @from) and (@to::timestamptz is null or h.created < @to)
             order by h.created desc, h.id limit @take offset @skip
             """, connection);
        command.Parameters.AddWithValue("from", NpgsqlTypes.NpgsqlDbType.TimestampTz, (object?)query.From?.UtcDateTime ?? DBNull.Value);
        command.Parameters.AddWithValue("to", NpgsqlTypes.NpgsqlDbType.TimestampTz, (object?)query.To?.UtcDateTime ?? DBNull.Value);
        command.Parameters.AddWithValue("take", query.PageSize);
        command.Parameters.AddWithValue("skip", Paging.Skip(query.Page, query.PageSize));

        var items = new List<StreamSummary>();
        long total = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(new StreamSummary(reader.GetGuid(0), Kind, reader.GetInt64(1), Utc(reader.GetDateTime(2)), Utc(reader.GetDateTime(3)), null, null));
            total = reader.GetInt64(4);
        }
        return new StreamPage(items, total, query.Page, query.PageSize);
    }

    static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    public async Task<StreamDetails?> Show(Guid id, CancellationToken cancellationToken)
    {
        await using var session = store.QuerySession();
        var movements = await History(session, id, cancellationToken);
        if (movements.Count == 0)
            return null;
        var events = movements.Select((m, index) => new StreamEvent(index + 1, null, $"Stock{m.Kind}", m.At,
            new { m.Kind, m.Quantity, m.OrderId }, m.OrderId?.ToString(), null, null, null)).ToList();
        return new StreamDetails(id, Kind, movements.Count, events);
    }

    public async Task<StateResult> StateAt(Guid id, StateQuery query, CancellationToken cancellationToken)
    {
        await using var session = store.QuerySession();
        var movements = await History(session, id, cancellationToken);
        if (movements.Count == 0)
            return new StateResult.NoStream();

        var upTo = query switch
        {
            { Version: { } version } => movements.Take((int)Math.Min(version, int.MaxValue)).ToList(),
            { At: { } at } => movements.Where(m => m.At <= at).ToList(),
            _ => movements,
        };
        if (query.Version > movements.Count)
            return new StateResult.OutOfRange($"The product has {movements.Count} stock movements; version {query.Version} does not exist yet.");
        if (upTo.Count == 0)
            return new StateResult.OutOfRange($"The product's stock history began at {movements[0].At:O}, after {query.At:O}.");

        var stock = new StockItem { Id = id };
        foreach (var movement in upTo)
            stock.Apply(movement.Kind, movement.Quantity);
        var state = new { ProductId = id, stock.OnHand, stock.Reserved, stock.Available, stock.Sold };
        return new StateResult.Found(new StreamState(id, Kind, upTo.Count, query.At, JsonSerializer.SerializeToElement(state, JsonSerializerOptions.Web)));
    }

    static async Task<IReadOnlyList<StockMovement>> History(IQuerySession session, Guid productId, CancellationToken cancellationToken) =>
        await session.Query<StockMovement>().Where(m => m.ProductId == productId).OrderBy(m => m.At).ThenBy(m => m.Id).ToListAsync(cancellationToken);
}
