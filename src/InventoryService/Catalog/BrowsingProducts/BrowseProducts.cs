using System.Security.Claims;
using Shop.BuildingBlocks.Http;
using Shop.BuildingBlocks.Security;
using Shop.InventoryService.Catalog.Caching;

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
    /// sort, paging. Admins may add includeInactive=true to manage deactivated products. Answers come from the catalog
    /// cache when they can (<see cref="CatalogCache"/>); this runs on a miss.
    /// </summary>
    public static async Task<IResult> List(
        HttpContext http, ProductCatalog catalog, CatalogAnswers answers, ClaimsPrincipal user, CancellationToken cancellationToken,
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
        var found = await catalog.SearchAsync(criteria, cancellationToken);
        // Deactivated products are the admins' business: that list never reaches a shared cache.
        return includeInactive ? answers.Private(http, found) : answers.Public(http, found);
    }

    /// <summary>
    /// One product. A deactivated product is no longer sold: only admins see it (privately, never cached), anyone else
    /// gets the 404 of a missing one.
    /// </summary>
    public static async Task<IResult> Get(Guid id, HttpContext http, ProductCatalog catalog, CatalogAnswers answers, ClaimsPrincipal user,
        CancellationToken cancellationToken)
    {
        var product = await catalog.FindAsync(id, cancellationToken);
        if (product is null || (!product.Active && !user.IsAdmin()))
            return Problems.NotFound("The product");
        return product.Active ? answers.Public(http, product) : answers.Private(http, product);
    }
}
