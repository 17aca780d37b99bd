using System.Globalization;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Shop.Gateway.Routing;

/// <summary>
/// The gateway as a shared cache (what a CDN would be) for the routes of <see cref="ServiceRoutes"/> marked cacheable:
/// today the catalog. It stores only what the service itself declares shareable — a 200 with
/// <c>Cache-Control: public, s-maxage=N</c>, no Set-Cookie, no Vary — for N seconds minus the answer's Age, so a hit never
/// outlives the service's own bound. A hit costs about what the gateway's bare health check costs: no proxy hop, no
/// service, no PostgreSQL.
/// <list type="bullet">
/// <item>Fills ask the service for a fresh answer (<c>Cache-Control: no-cache</c>, no If-None-Match): the entry then
/// starts at age zero, so the bound the catalog promises (a change shows within s-maxage) holds through the gateway too,
/// and a browser's revalidation cannot turn a fill into a 304 that leaves nothing to store. Clients' own no-cache is not
/// honoured by the gateway: it would let anyone send every request through to PostgreSQL.</item>
/// <item>A successful change sent through this gateway to a cacheable service (an admin's POST, PUT, DELETE) evicts that
/// service's entries here at once, as the service evicts its own; other gateway instances catch up within s-maxage.</item>
/// </list>
/// ETags pass through: a stored answer keeps the service's ETag, and the output cache answers If-None-Match with 304.
/// </summary>
public static class SharedCache
{
    public const string Policy = "shared";

    /// <summary>The tag of every entry stored from one service's answers.</summary>
    public static string ServiceTag(string service) => $"service-{service}";

    public static WebApplicationBuilder AddSharedCache(this WebApplicationBuilder builder)
    {
        builder.Services.AddOutputCache(cache => cache.AddPolicy(Policy, new SharedCachePolicy()));
        return builder;
    }

    /// <summary>The transforms of a route to a cacheable service (see the class summary).</summary>
    public static void AddTransforms(TransformBuilderContext context)
    {
        var service = context.Route.ClusterId!;
        context.AddRequestTransform(transform =>
        {
            if (HttpMethods.IsGet(transform.HttpContext.Request.Method))
            {
                transform.ProxyRequest.Headers.Remove(HeaderNames.IfNoneMatch);
                transform.ProxyRequest.Headers.Remove(HeaderNames.IfModifiedSince);
                transform.ProxyRequest.Headers.CacheControl = new System.Net.Http.Headers.CacheControlHeaderValue { NoCache = true };
            }
            return ValueTask.CompletedTask;
        });
        context.AddResponseTransform(async transform =>
        {
            var http = transform.HttpContext;
            if (HttpMethods.IsGet(http.Request.Method))
            {
                // Here, with the service's headers copied and before the body: the output cache fixes an entry's lifetime
                // when the response starts, too early for its policy's ServeResponseAsync to set it.
                if (http.Features.Get<IOutputCacheFeature>()?.Context is { } cache)
                {
                    cache.ResponseExpirationTimeSpan = SharedCachePolicy.SharedLifetime(http.Response);
                    cache.AllowCacheStorage &= cache.ResponseExpirationTimeSpan is not null;
                }
            }
            else if (transform.ProxyResponse is { IsSuccessStatusCode: true } && !HttpMethods.IsHead(http.Request.Method))
            {
                // Not cancellable: the change is committed, and a client that went away must not leave stale entries behind.
                await http.RequestServices.GetRequiredService<IOutputCacheStore>().EvictByTagAsync(ServiceTag(service), CancellationToken.None);
            }
        });
    }
}

/// <summary>Which requests the gateway answers from its cache and which answers it keeps (see <see cref="SharedCache"/>).</summary>
public sealed class SharedCachePolicy : IOutputCachePolicy
{
    ValueTask IOutputCachePolicy.CacheRequestAsync(OutputCacheContext context, CancellationToken cancellationToken)
    {
        var http = context.HttpContext;
        // GET only: a stored HEAD answer has no body to give a GET, and nothing else is cacheable.
        var cacheable = HttpMethods.IsGet(http.Request.Method);
        context.EnableOutputCaching = cacheable;
        context.AllowCacheLookup = cacheable;
        context.AllowCacheStorage = cacheable;
        context.AllowLocking = true;   // concurrent misses of one key wait for the first fill
        context.ResponseExpirationTimeSpan = null;   // set from the service's answer by SharedCache's response transform
        context.CacheVaryByRules.QueryKeys = "*";
        // Every request names the same public host; an invented Host must not multiply the entries.
        context.CacheVaryByRules.VaryByHost = false;
        if (http.GetEndpoint()?.Metadata.GetMetadata<Yarp.ReverseProxy.Model.RouteModel>() is { Config.ClusterId: { } service })
            context.Tags.Add(SharedCache.ServiceTag(service));
        return ValueTask.CompletedTask;
    }

    ValueTask IOutputCachePolicy.ServeFromCacheAsync(OutputCacheContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    ValueTask IOutputCachePolicy.ServeResponseAsync(OutputCacheContext context, CancellationToken cancellationToken)
    {
        // Kept only when SharedCache's response transform found the service's answer shareable and set its lifetime;
        // anything else — the gateway's own 502 when no instance answers — must not stay for the default 60 s.
        if (context.ResponseExpirationTimeSpan is null)
            context.AllowCacheStorage = false;
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// How long a shared cache may keep this answer (RFC 9111: s-maxage, else max-age, minus the Age it already has), or
    /// null when it must not keep it at all.
    /// </summary>
    public static TimeSpan? SharedLifetime(HttpResponse response)
    {
        var headers = response.Headers;
        if (response.StatusCode != StatusCodes.Status200OK || !StringValues.IsNullOrEmpty(headers.SetCookie) || !StringValues.IsNullOrEmpty(headers.Vary))
            return null;
        if (!CacheControlHeaderValue.TryParse(headers.CacheControl.ToString(), out var cacheControl)
            || !cacheControl.Public || cacheControl.Private || cacheControl.NoStore || cacheControl.NoCache)
            return null;
        var lifetime = cacheControl.SharedMaxAge ?? cacheControl.MaxAge;
        if (lifetime is null)
            return null;
        if (long.TryParse(headers.Age, NumberStyles.None, CultureInfo.InvariantCulture, out var age))
            lifetime -= TimeSpan.FromSeconds(age);
        return lifetime > TimeSpan.Zero ? lifetime : null;
    }
}
