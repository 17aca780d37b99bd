using System.Text;
using Marten;
using Npgsql;
using NpgsqlTypes;
using Shop.BuildingBlocks.Persistence;
using Shop.InventoryService.Stock;

namespace Shop.InventoryService.Catalog.BrowsingProducts;

/// <summary>A page of the catalog. TotalIsExact is false when a search matched more than Total products.</summary>
public record ProductPage(IReadOnlyList<ProductResponse> Items, long Total, int Page, int PageSize, bool TotalIsExact = true);

/// <summary>One page of the catalog as asked for; the endpoint validates it first.</summary>
public record ProductSearch(
    string? Search = null,
    string? Category = null,
    decimal? MinPrice = null,
    decimal? MaxPrice = null,
    string Sort = ProductSearch.DefaultSort,
    int Page = 1,
    int PageSize = 20,
    bool IncludeInactive = false)
{
    public const string DefaultSort = "name";
    public static readonly string[] Sorts = ["name", "-name", "price", "-price", "newest"];
}

/// <summary>
/// The catalog's reads in plain SQL, each in one round trip to PostgreSQL: a page is its count and its products joined
/// with their stock, sent as one batch; a product is one row with its stock. Marten's LINQ built three queries per page
/// and parsed its expression trees on every request, which cost more than the queries themselves. The documents are
/// still Marten's: the rows' JSON is read with the store's own serializer.
/// </summary>
public sealed class ProductCatalog(ShopDatabase database, IDocumentStore store)
{
    /// <summary>Beyond this many matches a search reports this many (TotalIsExact = false) instead of counting them all.</summary>
    public const int SearchCountLimit = 1_000;

    readonly ISerializer _serializer = store.Options.Serializer();
    readonly string _products = database.Table<Product>();
    readonly string _stock = database.Table<StockItem>();

    /// <summary>
    /// Filters on the duplicated product columns (see <see cref="ProductSchema"/>): the search term becomes
    /// name ILIKE '%term%' OR description ILIKE '%term%' (with %, _ and \ escaped), served by the trigram indexes.
    /// The total is a separate COUNT in the same batch: a window count over the page query would make PostgreSQL read
    /// every match before it can stop at the page. A search's count stops at <see cref="SearchCountLimit"/>: a term
    /// found in half the catalog ("and") would otherwise cost a full scan with a substring match on every row, only to
    /// print a number.
    /// </summary>
    public async Task<ProductPage> SearchAsync(ProductSearch search, CancellationToken cancellationToken)
    {
        await using var batch = Commands(search);
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        batch.Connection = connection;
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);

        await reader.ReadAsync(cancellationToken);
        var total = reader.GetInt64(0);
        var exact = true;
        if (!string.IsNullOrWhiteSpace(search.Search))
        {
            exact = total <= SearchCountLimit;
            total = Math.Min(total, SearchCountLimit);
        }

        await reader.NextResultAsync(cancellationToken);
        var items = new List<ProductResponse>(search.PageSize);
        while (await reader.ReadAsync(cancellationToken))
            items.Add(Read(reader));
        return new ProductPage(items, total, search.Page, search.PageSize, exact);
    }

    /// <summary>The product with its available stock, or null when there is no such product.</summary>
    public async Task<ProductResponse?> FindAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"select p.data, {Available} from {_products} p left join {_stock} s on s.id = p.id where p.id = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = id, NpgsqlDbType = NpgsqlDbType.Uuid });
        // Prepared once per pooled connection (later calls send nothing): a product miss is then one cheap round trip.
        await command.PrepareAsync(cancellationToken);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    /// <summary>A row of (product JSON, available); the JSON's stream is closed before the next column is read.</summary>
    ProductResponse Read(NpgsqlDataReader reader)
    {
        Product product;
        using (var json = reader.GetStream(0))
            product = _serializer.FromJson<Product>(json);
        return ProductResponse.From(product, reader.GetInt32(1));
    }

    /// <summary>Available units from the stock document; a product without one has none.</summary>
    const string Available = "coalesce((s.data ->> 'OnHand')::int - (s.data ->> 'Reserved')::int, 0)";

    /// <summary>The page's two statements, count then rows; public so that benchmarks/InventorySearch can explain them.</summary>
    public NpgsqlBatch Commands(ProductSearch search)
    {
        var parameters = new List<object>();
        var where = Where(search, parameters);
        var count = string.IsNullOrWhiteSpace(search.Search)
            ? $"select count(*) from {_products} p{where}"
            // Ids rather than a plain count: PostgreSQL stops reading at the limit.
            : $"select count(*) from (select p.id from {_products} p{where} limit {SearchCountLimit + 1}) matching";
        var page = $"select p.data, {Available} from {_products} p left join {_stock} s on s.id = p.id{where} " +
                   $"order by {OrderBy(search.Sort)} limit {search.PageSize} offset {(long)(search.Page - 1) * search.PageSize}";

        var batch = new NpgsqlBatch();
        batch.BatchCommands.Add(WithParameters(new NpgsqlBatchCommand(count), parameters));
        batch.BatchCommands.Add(WithParameters(new NpgsqlBatchCommand(page), parameters));
        return batch;
    }

    static NpgsqlBatchCommand WithParameters(NpgsqlBatchCommand command, List<object> values)
    {
        foreach (var value in values)
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        return command;
    }

    /// <summary>The filter as a WHERE clause with positional parameters ($1, $2...), the values appended to <paramref name="parameters"/>.</summary>
    static string Where(ProductSearch search, List<object> parameters)
    {
        var conditions = new List<string>();
        string Parameter(object value)
        {
            parameters.Add(value);
            return "$" + parameters.Count;
        }

        if (!search.IncludeInactive)
            conditions.Add("p.active");
        if (!string.IsNullOrWhiteSpace(search.Search))
        {
            var pattern = Parameter("%" + EscapeLike(search.Search.Trim()) + "%");
            conditions.Add($"(p.name ilike {pattern} or p.description ilike {pattern})");
        }
        // lower() = lower(), not ILIKE: equality on the lower(category) index instead of a scan.
        if (!string.IsNullOrWhiteSpace(search.Category))
            conditions.Add($"lower(p.category) = {Parameter(search.Category.Trim().ToLowerInvariant())}");
        if (search.MinPrice is { } min)
            conditions.Add($"p.price >= {Parameter(min)}");
        if (search.MaxPrice is { } max)
            conditions.Add($"p.price <= {Parameter(max)}");
        return conditions.Count == 0 ? "" : " where " + string.Join(" and ", conditions);
    }

    /// <summary>
    /// The requested order; the id breaks ties so that pages never overlap. Names sort case-insensitively ("beta"
    /// between "Alpha" and "Gamma"), on the lower(name) index.
    /// </summary>
    static string OrderBy(string sort) => sort switch
    {
        "price" => "p.price, p.id",
        "-price" => "p.price desc, p.id",
        "-name" => "lower(p.name) desc, p.id",
        "newest" => "p.created_at desc, p.id",
        _ => "lower(p.name), p.id",
    };

    /// <summary>A search term taken literally by LIKE: its own %, _ and the escape character \ are escaped.</summary>
    static string EscapeLike(string term)
    {
        var escaped = new StringBuilder(term.Length + 4);
        foreach (var c in term)
        {
            if (c is '%' or '_' or '\\')
                escaped.Append('\\');
            escaped.Append(c);
        }
        return escaped.ToString();
    }
}
