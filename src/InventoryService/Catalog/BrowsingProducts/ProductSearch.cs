using Marten;
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

public static class ProductCatalog
{
    /// <summary>Beyond this many matches a search reports this many (TotalIsExact = false) instead of counting them all.</summary>
    public const int SearchCountLimit = 1_000;

    /// <summary>
    /// Filters on the duplicated product columns (see <see cref="ProductSchema"/>): the search term becomes
    /// name ILIKE '%term%' OR description ILIKE '%term%' (Marten escapes % and _), served by the trigram indexes.
    /// The total is a separate COUNT: a window count over the page query would make PostgreSQL read every match before
    /// it can stop at the page. A search's count stops at <see cref="SearchCountLimit"/>: a term found in half the
    /// catalog ("and") would otherwise cost a full scan with a substring match on every row, only to print a number.
    /// </summary>
    public static async Task<ProductPage> SearchAsync(IQuerySession session, ProductSearch search, CancellationToken cancellationToken)
    {
        var matching = Filter(session, search);
        long total;
        var exact = true;
        if (string.IsNullOrWhiteSpace(search.Search))
            total = await matching.LongCountAsync(cancellationToken);
        else
        {
            // Ids rather than Take(n).Count(): Marten puts that LIMIT on the aggregate, which would still count everything.
            total = (await CountLimitedQuery(matching).ToListAsync(cancellationToken)).Count;
            exact = total <= SearchCountLimit;
            total = Math.Min(total, SearchCountLimit);
        }
        var products = total == 0 ? [] : await Page(matching, search).ToListAsync(cancellationToken);

        var stock = (await session.LoadManyAsync<StockItem>(cancellationToken, products.Select(p => p.Id))).ToDictionary(s => s.Id);
        var items = products.Select(p => ProductResponse.From(p, stock.TryGetValue(p.Id, out var s) ? s.Available : 0)).ToList();
        return new ProductPage(items, total, search.Page, search.PageSize, exact);
    }

    public static IQueryable<Guid> CountLimitedQuery(IQueryable<Product> matching) =>
        matching.Select(p => p.Id).Take(SearchCountLimit + 1);

    public static IQueryable<Product> Filter(IQuerySession session, ProductSearch search)
    {
        IQueryable<Product> query = session.Query<Product>();
        if (!search.IncludeInactive)
            query = query.Where(p => p.Active);
        if (!string.IsNullOrWhiteSpace(search.Search))
        {
            var term = search.Search.Trim();
            query = query.Where(p => p.Name.Contains(term, StringComparison.OrdinalIgnoreCase)
                                     || p.Description.Contains(term, StringComparison.OrdinalIgnoreCase));
        }
        if (!string.IsNullOrWhiteSpace(search.Category))
        {
            // lower() = lower(), not ILIKE: equality on the lower(category) index instead of a scan.
            var category = search.Category.Trim().ToLowerInvariant();
            query = query.Where(p => p.Category.ToLower() == category);
        }
        if (search.MinPrice is { } min)
            query = query.Where(p => p.Price >= min);
        if (search.MaxPrice is { } max)
            query = query.Where(p => p.Price <= max);
        return query;
    }

    /// <summary>
    /// The requested page in the requested order; the id breaks ties so that pages never overlap. Names sort
    /// case-insensitively ("beta" between "Alpha" and "Gamma"), on the lower(name) index.
    /// </summary>
    public static IQueryable<Product> Page(IQueryable<Product> matching, ProductSearch search)
    {
        var sorted = search.Sort switch
        {
            "price" => matching.OrderBy(p => p.Price).ThenBy(p => p.Id),
            "-price" => matching.OrderByDescending(p => p.Price).ThenBy(p => p.Id),
            "-name" => matching.OrderByDescending(p => p.Name.ToLower()).ThenBy(p => p.Id),
            "newest" => matching.OrderByDescending(p => p.CreatedAt).ThenBy(p => p.Id),
            _ => matching.OrderBy(p => p.Name.ToLower()).ThenBy(p => p.Id),
        };
        return sorted.Skip((search.Page - 1) * search.PageSize).Take(search.PageSize);
    }
}
