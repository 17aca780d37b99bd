using Npgsql;

namespace Shop.BuildingBlocks.Persistence;

/// <summary>The service's PostgreSQL database and its own schema (no service reads another's tables).</summary>
public sealed class ShopDatabase(NpgsqlDataSource dataSource, string schema)
{
    public NpgsqlDataSource DataSource { get; } = dataSource;
    public string Schema { get; } = schema;

    /// <summary>Qualified name of the Marten table holding documents of type T.</summary>
    public string Table<T>() => $"{Schema}.mt_doc_{typeof(T).Name.ToLowerInvariant()}";
}
