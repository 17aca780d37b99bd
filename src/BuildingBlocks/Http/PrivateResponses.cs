using Microsoft.AspNetCore.Builder;
using Microsoft.Net.Http.Headers;

namespace Shop.BuildingBlocks.Http;

/// <summary>
/// Answers to a request that carries credentials (an Authorization header) are somebody's own data — orders, carts,
/// payments, accounts — and must not stay in any cache: they get Cache-Control: no-store unless the endpoint chose its
/// own caching (a public catalog page may say public, max-age). Behind the gateway the service sets it and the gateway
/// passes it on; the gateway's own endpoints get it from the same code.
/// </summary>
public static class PrivateResponses
{
    public const string NoStore = "no-store";

    public static WebApplication UseShopPrivateResponses(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            if (context.Request.Headers.ContainsKey(HeaderNames.Authorization))
            {
                context.Response.OnStarting(() =>
                {
                    if (string.IsNullOrEmpty(context.Response.Headers.CacheControl))
                        context.Response.Headers.CacheControl = NoStore;
                    return Task.CompletedTask;
                });
            }
            return next(context);
        });
        return app;
    }
}
