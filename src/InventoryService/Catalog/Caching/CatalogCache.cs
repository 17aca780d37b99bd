using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Shop.InventoryService.Catalog.Caching;

/// <summary>Configuration section Inventory:CatalogCache.</summary>
public sealed class CatalogCacheOptions
{
    public const string Section = "Inventory:CatalogCache";

    /// <summary>
    /// How long an answer is served from an instance's cache, and so the bound on how far the catalog trails a change
    /// that did not evict it: a reservation, or any change made through another instance. Also the s-maxage given to
    /// shared caches (CDNs). Whole seconds, because Cache-Control speaks seconds.
    /// </summary>
    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// The public catalog (GET /api/products and /api/products/{id}) served from ASP.NET Core output caching: a hit writes
/// stored bytes without touching PostgreSQL or serializing anything, concurrent misses of one page wait for the first
/// (no stampede after start or expiry), and a stored ETag answers If-None-Match with 304.
/// Entries live <see cref="CatalogCacheOptions.Duration"/> (1 s): short enough that stock may trail a reservation by at
/// most that, without every reservation evicting every page. Admin changes of products and stock evict the entries
/// they touch (tags) at once, but only in the instance that made them: the others catch up within the same duration,
/// which is what bounds staleness with several instances. Reservations never read this cache: they load stock documents.
/// </summary>
public static class CatalogCache
{
    public const string Policy = "catalog";

    /// <summary>Every catalog page: any product change can move a product into, out of or within any page.</summary>
    public const string PagesTag = "catalog-pages";

    public static string ProductTag(Guid productId) => $"product-{productId:N}";

    public static WebApplicationBuilder AddCatalogCache(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(CatalogCacheOptions.Section).Get<CatalogCacheOptions>() ?? new CatalogCacheOptions();
        if (options.Duration < TimeSpan.FromSeconds(1) || options.Duration.Ticks % TimeSpan.TicksPerSecond != 0)
            throw new InvalidOperationException($"{CatalogCacheOptions.Section}:Duration must be whole seconds, at least 1 (e.g. 00:00:01).");
        builder.Services.AddSingleton(options);
        builder.Services.AddOutputCache(cache => cache.AddPolicy(Policy, new CatalogCachePolicy(options.Duration)));
        builder.Services.AddSingleton<CatalogCacheInvalidation>();
        builder.Services.AddSingleton<CatalogAnswers>();
        return builder;
    }
}

/// <summary>
/// Which catalog requests are cached and how. Answers do not depend on who asks, so signed-in shoppers share the
/// anonymous entries (the default policy would skip every request with an Authorization header); only the admins' list
/// with deactivated products is never cached. Only 200s are stored.
/// </summary>
public sealed class CatalogCachePolicy(TimeSpan duration) : IOutputCachePolicy
{
    public const string IncludeInactive = "includeInactive";

    ValueTask IOutputCachePolicy.CacheRequestAsync(OutputCacheContext context, CancellationToken cancellationToken)
    {
        var request = context.HttpContext.Request;
        var cacheable = HttpMethods.IsGet(request.Method) && !request.Query.ContainsKey(IncludeInactive);
        context.EnableOutputCaching = true;
        // A shared cache in front (the gateway) filling its entry asks for a fresh answer, so that its entry starts at age
        // zero and the catalog's bound holds through it; the answer is still stored for direct callers. Only the gateway
        // reaches this service, and it sets this header itself, so no client can send requests through to PostgreSQL.
        context.AllowCacheLookup = cacheable && !AsksForFreshAnswer(request);
        context.AllowCacheStorage = cacheable;
        context.AllowLocking = true;
        context.ResponseExpirationTimeSpan = duration;
        context.CacheVaryByRules.QueryKeys = "*";
        // Through the gateway every request has the same Host; a caller reaching the service directly must not be able
        // to multiply the entries by inventing hosts.
        context.CacheVaryByRules.VaryByHost = false;
        context.Tags.Add(CatalogCache.PagesTag);
        if (request.RouteValues.TryGetValue("id", out var id) && Guid.TryParse(id?.ToString(), out var productId))
            context.Tags.Add(CatalogCache.ProductTag(productId));
        return ValueTask.CompletedTask;
    }

    static bool AsksForFreshAnswer(HttpRequest request) =>
        CacheControlHeaderValue.TryParse(request.Headers.CacheControl.ToString(), out var cacheControl) && cacheControl.NoCache;

    ValueTask IOutputCachePolicy.ServeFromCacheAsync(OutputCacheContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    ValueTask IOutputCachePolicy.ServeResponseAsync(OutputCacheContext context, CancellationToken cancellationToken)
    {
        var response = context.HttpContext.Response;
        // A private answer (an admin reading a deactivated product) must not be served to the next visitor.
        if (response.StatusCode != StatusCodes.Status200OK || !StringValues.IsNullOrEmpty(response.Headers.SetCookie)
            || response.Headers.CacheControl.ToString().Contains("no-store", StringComparison.OrdinalIgnoreCase))
            context.AllowCacheStorage = false;
        return ValueTask.CompletedTask;
    }
}

/// <summary>Evicts what a committed product or stock change made stale, in this instance (see <see cref="CatalogCache"/>).</summary>
public sealed class CatalogCacheInvalidation(IOutputCacheStore store)
{
    /// <summary>Not cancellable: the change is committed, and a request cancelled now must not leave stale entries behind.</summary>
    public async Task ProductChangedAsync(Guid productId)
    {
        await store.EvictByTagAsync(CatalogCache.ProductTag(productId), CancellationToken.None);
        await store.EvictByTagAsync(CatalogCache.PagesTag, CancellationToken.None);
    }
}
