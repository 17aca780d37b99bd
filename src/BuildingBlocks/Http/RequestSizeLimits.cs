using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Shop.BuildingBlocks.Http;

/// <summary>
/// Caps request bodies (Http:MaxRequestBodyBytes, 1 MiB by default: the largest JSON the API takes is a few KB; an
/// endpoint that needs more says so with [RequestSizeLimit]).
/// A declared Content-Length over the cap is refused up front with a 413 ProblemDetails. A chunked body that grows past
/// it makes Kestrel throw a 413 BadHttpRequestException while it is read: the endpoint's body binding (or
/// KnownExceptionHandler, or YARP at the gateway) answers 413, and the status-code pages give it a ProblemDetails body.
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
        app.Use(async (context, next) =>
        {
            // The request's own limit: Kestrel's, or the endpoint's own (IRequestSizeLimitMetadata, e.g. [RequestSizeLimit]),
            // applied here because the input filter behind this reads JSON bodies before any endpoint code runs.
            var feature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
            if (context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>() is { } endpointLimit && feature is { IsReadOnly: false })
                feature.MaxRequestBodySize = endpointLimit.MaxRequestBodySize;
            var limit = feature?.MaxRequestBodySize;
            if (limit is not null && context.Request.ContentLength > limit)
            {
                await RejectAsync(context, limit.Value);
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
