using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Shop.BuildingBlocks.Http;

/// <summary>
/// Caps request bodies (Http:MaxRequestBodyBytes, 1 MiB by default: the largest JSON the API takes is a few KB).
/// A declared Content-Length over the cap is refused up front with a 413 ProblemDetails; a chunked body that grows past
/// it makes Kestrel throw a 413 BadHttpRequestException while it is read, which KnownExceptionHandler turns into the same.
/// </summary>
public static class RequestSizeLimits
{
    public const long DefaultMaxRequestBodyBytes = 1024 * 1024;

    public static long MaxRequestBodyBytes(IConfiguration configuration) =>
        configuration.GetValue("Http:MaxRequestBodyBytes", DefaultMaxRequestBodyBytes);

    public static WebApplicationBuilder AddShopRequestSizeLimits(this WebApplicationBuilder builder)
    {
        var limit = MaxRequestBodyBytes(builder.Configuration);
        builder.Services.Configure<KestrelServerOptions>(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = limit;
            kestrel.AddServerHeader = false;
        });
        return builder;
    }

    public static WebApplication UseShopRequestSizeLimits(this WebApplication app)
    {
        var limit = MaxRequestBodyBytes(app.Configuration);
        app.Use(async (context, next) =>
        {
            if (context.Request.ContentLength > limit)
            {
                await RejectAsync(context, limit);
                return;
            }
            await next(context);
        });
        return app;
    }

    static async Task RejectAsync(HttpContext context, long limit)
    {
        context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        // The body is not read: the connection cannot be reused for another request.
        context.Response.Headers.Connection = "close";
        var problemDetails = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problemDetails.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status413PayloadTooLarge,
                Title = "The request body is too large.",
                Detail = $"Request bodies are limited to {limit} bytes.",
            },
        });
    }
}
