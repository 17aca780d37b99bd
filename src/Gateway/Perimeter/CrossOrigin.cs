namespace Shop.Gateway.Perimeter;

/// <summary>
/// CORS for the web app when it is served from another origin than the gateway (Cors:AllowedOrigins, e.g. a dev server).
/// None by default: the gateway serves the web app itself, same-origin. Tokens travel in the Authorization header, never
/// in cookies, so credentials are not allowed.
/// </summary>
public static class CrossOrigin
{
    public static WebApplicationBuilder AddCrossOrigin(this WebApplicationBuilder builder)
    {
        var origins = builder.Configuration.GetSection("Cors:AllowedOrigins").Get<string[]>() ?? [];
        builder.Services.AddCors(options => options.AddDefaultPolicy(policy => policy
            .WithOrigins(origins)
            .WithMethods("GET", "POST", "PUT", "PATCH", "DELETE")
            .WithHeaders("Authorization", "Content-Type", "Accept", "If-Match", "If-None-Match", "Idempotency-Key")
            .WithExposedHeaders("Location", "ETag", "Retry-After")
            .SetPreflightMaxAge(TimeSpan.FromMinutes(10))));
        return builder;
    }
}
