using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Shop.BuildingBlocks.Http;
using Shop.BuildingBlocks.Security;
using Shop.InventoryService.Stock;

namespace Shop.InventoryService.Catalog.BrowsingProducts;

public static class BrowseProductsEndpoint
{
    public const int MaxPageSize = 100;
    public const int MaxPage = Paging.MaxPage;
    public const int MaxTermLength = 100;

    /// <summary>Trigram indexes need three characters; a shorter term would be matched against every row.</summary>
    public const int MinSearchLength = 3;

    /// <summary>
    /// Public catalog: active products, case-insensitive search over name and description, category and price filters,
    /// sort, paging. Admins may add includeInactive=true to manage deactivated products.
    /// </summary>
    public static async Task<Results<Ok<ProductPage>, ValidationProblem, ProblemHttpResult>> List(
        IQuerySession session, ClaimsPrincipal user, CancellationToken cancellationToken,
        string? search = null, string? category = null, decimal? minPrice = null, decimal? maxPrice = null,
        string? sort = null, int page = 1, int pageSize = 20, bool includeInactive = false)
    {
        var errors = new Dictionary<string, string[]>();
        if (page is < 1 or > MaxPage)
            errors["page"] = [$"page must be between 1 and {MaxPage}."];
        if (pageSize is < 1 or > MaxPageSize)
            errors["pageSize"] = [$"pageSize must be between 1 and {MaxPageSize}."];
        if (sort is not null && !ProductSearch.Sorts.Contains(sort))
            errors["sort"] = [$"sort must be one of: {string.Join(", ", ProductSearch.Sorts)}."];
        if (search?.Trim() is { Length: > 0 and < MinSearchLength })
            errors["search"] = [$"search needs at least {MinSearchLength} characters."];
        if (search?.Length > MaxTermLength)
            errors["search"] = [$"search must be at most {MaxTermLength} characters."];
        if (category?.Length > MaxTermLength)
            errors["category"] = [$"category must be at most {MaxTermLength} characters."];
        if (minPrice < 0)
            errors["minPrice"] = ["minPrice must not be negative."];
        if (maxPrice < 0)
            errors["maxPrice"] = ["maxPrice must not be negative."];
        if (minPrice is not null && maxPrice is not null && minPrice > maxPrice)
            errors["minPrice"] = ["minPrice must not exceed maxPrice."];
        if (errors.Count > 0)
            return Problems.Validation(errors);
        if (includeInactive && !user.IsAdmin())
            return TypedResults.Problem(title: "Only admins can list deactivated products.", statusCode: StatusCodes.Status403Forbidden);

        var criteria = new ProductSearch(search, category, minPrice, maxPrice, sort ?? ProductSearch.DefaultSort, page, pageSize, includeInactive);
        return TypedResults.Ok(await ProductCatalog.SearchAsync(session, criteria, cancellationToken));
    }

    /// <summary>One product. A deactivated product is no longer sold: only admins see it, anyone else gets the 404 of a missing one.</summary>
    public static async Task<Results<Ok<ProductResponse>, ProblemHttpResult>> Get(Guid id, IQuerySession session, ClaimsPrincipal user,
        CancellationToken cancellationToken)
    {
        var product = await session.LoadAsync<Product>(id, cancellationToken);
        if (product is null || (!product.Active && !user.IsAdmin()))
            return Problems.NotFound("The product");
        var stock = await session.LoadAsync<StockItem>(id, cancellationToken);
        return TypedResults.Ok(ProductResponse.From(product, stock?.Available ?? 0));
    }
}
