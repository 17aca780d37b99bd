using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Shop.Gateway.Perimeter;

/// <summary>The 429 answer of the rate limits and the sign-in lockout: ProblemDetails plus Retry-After in whole seconds.</summary>
public static class TooManyRequests
{
    public static ProblemHttpResult Problem(HttpContext context, TimeSpan retryAfter, string title) =>
        TypedResults.Problem(title: title, detail: SetRetryAfter(context, retryAfter), statusCode: StatusCodes.Status429TooManyRequests);

    /// <summary>Sets Retry-After (rounded up, at least 1 s) and returns the matching sentence for the detail.</summary>
    public static string SetRetryAfter(HttpContext context, TimeSpan retryAfter)
    {
        var seconds = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return $"Try again in {seconds} seconds.";
    }
}
