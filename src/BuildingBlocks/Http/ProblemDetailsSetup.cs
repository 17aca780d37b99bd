using System.Diagnostics;
using JasperFx;
using JasperFx.Events;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Shop.Messaging;

namespace Shop.BuildingBlocks.Http;

public static class ProblemDetailsSetup
{
    public static WebApplicationBuilder AddShopProblemDetails(this WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            context.ProblemDetails.Instance ??= context.HttpContext.Request.Path;
            context.ProblemDetails.Extensions["traceId"] = Activity.Current?.TraceId.ToString() ?? context.HttpContext.TraceIdentifier;
        });
        builder.Services.AddExceptionHandler<KnownExceptionHandler>();
        return builder;
    }
}

/// <summary>
/// Turns the exceptions a client can cause into their 4xx ProblemDetails, and a database outage into 503; anything else
/// stays a logged 500.
/// </summary>
public sealed class KnownExceptionHandler(IProblemDetailsService problemDetails, ILogger<KnownExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title) = exception switch
        {
            BadHttpRequestException bad => (bad.StatusCode, "The request could not be read."),
            ConcurrencyException or EventStreamUnexpectedMaxEventIdException or ExistingStreamIdCollisionException =>
                (StatusCodes.Status409Conflict, "The resource was changed by another request; reload and try again."),
            DocumentAlreadyExistsException => (StatusCodes.Status409Conflict, "The resource already exists."),
            Marten.Exceptions.MartenCommandException { InnerException: Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation } } =>
                (StatusCodes.Status409Conflict, "The resource conflicts with an existing one."),
            // A crash and its recovery take seconds: the client may simply try again, which a 503 with Retry-After says.
            _ when DatabaseOutage.Is(exception) => (StatusCodes.Status503ServiceUnavailable, "The service's database is unavailable; try again shortly."),
            _ => (0, ""),
        };
        if (status == 0)
            return false;
        if (status == StatusCodes.Status503ServiceUnavailable)
            httpContext.Response.Headers.RetryAfter = "5";

        logger.LogInformation("Request failed with {Status}: {Message}", status, exception.Message);
        httpContext.Response.StatusCode = status;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = exception is BadHttpRequestException ? exception.Message : null },
        });
    }
}
