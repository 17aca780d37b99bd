using Marten;
using Marten.Linq;
using Microsoft.AspNetCore.Http.HttpResults;
using Shop.BuildingBlocks.Http;
using Shop.InventoryService.Stock;

namespace Shop.InventoryService.Catalog.BrowsingProducts;

public record ProductPage(IReadOnlyList<ProductResponse> Items, long Total, int Page, int PageSize);

public static class BrowseProductsEndpoint
{
    public const int MaxPageSize = 100;
    static readonly string[] Sorts = ["name", "-name", "price", "-price", "newest"];

    /// <summary>Public catalog: active products, case-insensitive search over name and description, filters, sort, paging.</summary>
    public static async Task<Results<Ok<ProductPage>, ValidationProblem>> List(
        IQuerySession session, CancellationToken cancellationToken,
        string? search = null, string? category = null, decimal? minPrice = null, decimal? maxPrice = null,
        string? sort = null, int page = 1, int pageSize = 20)
    {
        if (page < 1)
            return Problems.Validation("page", "page starts at 1.");
        if (pageSize is < 1 or > MaxPageSize)
            return Problems.Validation("pageSize", $"pageSize must be between 1 and {MaxPageSize}.");
        if (sort is not null && !Sorts.Contains(sort))
            return Problems.Validation("sort", $"sort must be one of: {string.Join(", ", Sorts)}.");
        if (minPrice is not null && maxPrice is not null && minPrice > maxPrice)
            return Problems.Validation("minPrice", "minPrice must not exceed maxPrice.");

        IQueryable<Product> query = session.Query<Product>().Stats(out QueryStatistics stats).Where(p => p.Active);
        if (!string.IsNullOrWhiteSpace(search))
        {
            var term = search.Trim();
            query = query.Where(p => p.Name.Contains(term, StringComparison.OrdinalIgnoreCase)
                                     || p.Description.Contains(term, StringComparison.OrdinalIgnoreCase));
        }
        if (!string.IsNullOrWhiteSpace(category))
        {
            var wanted = category.Trim();
            query = query.Where(p => p.Category.Equals(wanted, StringComparison.OrdinalIgnoreCase));
        }
        if (minPrice is not null)
            query = query.Where(p => p.Price >= minPrice.Value);
        if (maxPrice is not null)
            query = query.Where(p => p.Price <= maxPrice.Value);

        query = sort switch
        {
            "price" => query.OrderBy(p => p.Price).ThenBy(p => p.Id),
            "-price" => query.OrderByDescending(p => p.Price).ThenBy(p => p.Id),
            "-name" => query.OrderByDescending(p => p.Name).ThenBy(p => p.Id),
            "newest" => query.OrderByDescending(p => p.CreatedAt).ThenBy(p => p.Id),
            _ => query.OrderBy(p => p.Name).ThenBy(p => p.Id),
        };

        var products = await query.Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(cancellationToken);
        var stock = (await session.LoadManyAsync<StockItem>(cancellationToken, products.Select(p => p.Id))).ToDictionary(s => s.Id);
        var items = products.Select(p => ProductResponse.From(p, stock.TryGetValue(p.Id, out var s) ? s.Available : 0)).ToList();
        return TypedResults.Ok(new ProductPage(items, stats.TotalResults, page, pageSize));
    }

    public static async Task<Results<Ok<ProductResponse>, ProblemHttpResult>> Get(Guid id, IQuerySession session, CancellationToken cancellationToken)
    {
        var product = await session.LoadAsync<Product>(id, cancellationToken);
        if (product is null)
            return Problems.NotFound("The product");
        var stock = await session.LoadAsync<StockItem>(id, cancellationToken);
        return TypedResults.Ok(ProductResponse.From(product, stock?.Available ?? 0));
    }
}
