using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Shop.BuildingBlocks.Security;

namespace Shop.Gateway.Perimeter;

/// <summary>A rate: <see cref="PermitLimit"/> requests per <see cref="Window"/>, with bursts up to <see cref="PermitLimit"/>.</summary>
public sealed class Rate
{
    public int PermitLimit { get; set; }
    public TimeSpan Window { get; set; }

    /// <summary>A token bucket: unlike a fixed window it knows exactly when the next request may come (Retry-After).</summary>
    public TokenBucketRateLimiterOptions ToTokenBucket()
    {
        var limit = Math.Max(1, PermitLimit);
        // Refill at most once a second; a sub-millisecond timer for very high limits would only burn CPU.
        var period = Window / limit < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : Window / limit;
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = limit,
            ReplenishmentPeriod = period,
            TokensPerPeriod = Math.Max(1, (int)Math.Round(limit * (period / Window))),
            QueueLimit = 0,
            AutoReplenishment = true,
        };
    }
}

/// <summary>
/// Request-rate limits of the gateway (configuration section "RateLimiting"), per gateway instance. The defaults suit a
/// public shop; test clusters raise the per-address ones, because their suites sign up many customers from 127.0.0.1.
/// </summary>
public sealed class RateLimitSettings
{
    /// <summary>POST /api/auth/login per client address.</summary>
    public Rate Login { get; set; } = new() { PermitLimit = 20, Window = TimeSpan.FromMinutes(1) };

    /// <summary>POST /api/auth/register per client address.</summary>
    public Rate Register { get; set; } = new() { PermitLimit = 20, Window = TimeSpan.FromHours(1) };

    /// <summary>Every request of one signed-in user (the token's subject), whatever service it goes to.</summary>
    public Rate PerUser { get; set; } = new() { PermitLimit = 600, Window = TimeSpan.FromMinutes(1) };

    /// <summary>Every request without a valid token, per client address.</summary>
    public Rate Anonymous { get; set; } = new() { PermitLimit = 600, Window = TimeSpan.FromMinutes(1) };
}

public static class RateLimits
{
    public const string Login = "login";
    public const string Register = "register";

    public static WebApplicationBuilder AddRateLimits(this WebApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection("RateLimiting").Get<RateLimitSettings>() ?? new RateLimitSettings();
        builder.Services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = (context, _) => WriteRejection(context.HttpContext,
                context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : null,
                "Too many requests.");

            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                if (context.Request.Path.StartsWithSegments("/health"))
                    return RateLimitPartition.GetNoLimiter("health");
                // Only a token the gateway validated yields a user: a forged subject stays anonymous.
                return context.User.Identity?.IsAuthenticated == true
                    ? RateLimitPartition.GetTokenBucketLimiter($"user:{context.User.FindFirstValue(ShopClaims.Subject)}", _ => settings.PerUser.ToTokenBucket())
                    : RateLimitPartition.GetTokenBucketLimiter($"address:{ClientAddresses.Of(context)}", _ => settings.Anonymous.ToTokenBucket());
            });
            options.AddPolicy(Login, context => RateLimitPartition.GetTokenBucketLimiter(ClientAddresses.Of(context), _ => settings.Login.ToTokenBucket()));
            options.AddPolicy(Register, context => RateLimitPartition.GetTokenBucketLimiter(ClientAddresses.Of(context), _ => settings.Register.ToTokenBucket()));
        });
        return builder;
    }

    static ValueTask WriteRejection(HttpContext context, TimeSpan? retryAfter, string title)
    {
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        var detail = retryAfter is { } wait ? TooManyRequests.SetRetryAfter(context, wait) : "Slow down and try again later.";
        var problemDetails = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        return problemDetails.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = StatusCodes.Status429TooManyRequests, Title = title, Detail = detail },
        });
    }
}
