using Marten;
using Npgsql;
using NpgsqlTypes;
using Shop.BuildingBlocks.Persistence;
using Shop.OrderSaga.Orders.Projections;

namespace Shop.OrderSaga.Orders.ViewingOrders;

/// <summary>
/// Reads one order's read model by id as a prepared statement. Marten's LoadAsync is the same single query but sent
/// unprepared, so PostgreSQL planned it on every poll; a customer following checkout polls this once a second.
/// </summary>
public static class OrderReader
{
    public static async Task<OrderDetails?> FindAsync(ShopDatabase database, IDocumentStore store, Guid orderId, CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"select data from {database.Table<OrderDetails>()} where id = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = orderId, NpgsqlDbType = NpgsqlDbType.Uuid });
        // Prepared once per pooled connection; every later Prepare on it finds the statement and sends nothing.
        await command.PrepareAsync(cancellationToken);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            return null;
        await using var json = reader.GetStream(0);
        return store.Options.Serializer().FromJson<OrderDetails>(json);
    }
}
