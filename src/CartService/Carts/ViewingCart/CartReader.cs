using Marten;
using Npgsql;
using NpgsqlTypes;
using Shop.BuildingBlocks.Persistence;
using Shop.CartService.Catalog;

namespace Shop.CartService.Carts.ViewingCart;

/// <summary>A cart snapshot with the replica's entries for its lines: what the cart view prices it with.</summary>
public sealed record CartWithProducts(Cart Cart, IReadOnlyDictionary<Guid, CatalogProduct> Products);

/// <summary>
/// Reads a cart for viewing in one round trip: the snapshot (found through the customer's <see cref="ActiveCart"/> or by
/// id) and the catalog replica's entries for its lines, in one SQL statement. Through Marten that took three queries
/// (pointer, cart, products), which cost more than the data. The documents are read with the store's own serializer.
/// </summary>
public sealed class CartReader(ShopDatabase database, IDocumentStore store)
{
    readonly ISerializer _serializer = store.Options.Serializer();
    readonly string _byCustomer = Statement(database,
        $"from {database.Table<ActiveCart>()} a join {database.Table<Cart>()} c on c.id = (a.data ->> 'CartId')::uuid where a.id = $1");
    readonly string _byId = Statement(database, $"from {database.Table<Cart>()} c where c.id = $1");

    /// <summary>The statement behind <see cref="CurrentAsync"/> ($1: the customer id), for tests of its plan.</summary>
    internal string CurrentCartStatement => _byCustomer;

    /// <summary>
    /// The products of the cart's lines, as one JSON array (empty when the replica knows none of them). The line ids are
    /// an array so that the products are found through the primary key: `id in (subquery)` was planned as a hash join
    /// over a scan of the whole replica, a cost that grows with the catalog on every cart read.
    /// </summary>
    static string Statement(ShopDatabase database, string from) =>
        $"select c.data, (select coalesce(jsonb_agg(p.data), '[]'::jsonb) from {database.Table<CatalogProduct>()} p " +
        "where p.id = any(array(select (line ->> 'ProductId')::uuid from jsonb_array_elements(c.data -> 'Lines') line))) " + from;

    /// <summary>The customer's current cart, or null when they have none (never had one, or just checked it out).</summary>
    public async Task<CartWithProducts?> CurrentAsync(Guid customerId, CancellationToken cancellationToken)
    {
        var found = await ReadAsync(_byCustomer, customerId, cancellationToken);
        return found is { Cart.IsCurrent: true } ? found : null;
    }

    /// <summary>The cart with this id, current or checked out, whoever owns it (the caller decides who may see it).</summary>
    public Task<CartWithProducts?> ByIdAsync(Guid cartId, CancellationToken cancellationToken) => ReadAsync(_byId, cartId, cancellationToken);

    async Task<CartWithProducts?> ReadAsync(string sql, Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = id, NpgsqlDbType = NpgsqlDbType.Uuid });
        // Planning the join cost PostgreSQL more than running it. A prepared statement lives as long as the pooled
        // connection: only the first use on each connection prepares, every later Prepare finds it and sends nothing.
        await command.PrepareAsync(cancellationToken);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            return null;
        var cart = Read<Cart>(reader, 0);
        var products = Read<List<CatalogProduct>>(reader, 1);
        return new CartWithProducts(cart, products.ToDictionary(p => p.Id));
    }

    /// <summary>A column's JSON; its stream is closed before the next column is read (Npgsql allows one open stream).</summary>
    T Read<T>(NpgsqlDataReader reader, int column)
    {
        using var json = reader.GetStream(column);
        return _serializer.FromJson<T>(json);
    }
}
