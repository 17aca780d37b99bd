namespace Shop.Gateway.Perimeter;

/// <summary>
/// Response headers that keep browsers from sniffing, framing or leaking what the gateway serves (its own answers and
/// the services' alike). The Content-Security-Policy is configurable (SecurityHeaders:ContentSecurityPolicy) because the
/// gateway also serves the web app.
/// </summary>
public static class SecurityHeaders
{
    public const string DefaultContentSecurityPolicy =
        "default-src 'self'; img-src 'self' data: https:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public static WebApplicationBuilder AddSecurityHeaders(this WebApplicationBuilder builder)
    {
        builder.Services.AddHsts(options =>
        {
            options.MaxAge = TimeSpan.FromDays(365);
            options.IncludeSubDomains = true;
        });
        return builder;
    }

    public static WebApplication UseSecurityHeaders(this WebApplication app)
    {
        var contentSecurityPolicy = app.Configuration["SecurityHeaders:ContentSecurityPolicy"] ?? DefaultContentSecurityPolicy;
        // Strict-Transport-Security, on HTTPS requests only (behind a TLS proxy: X-Forwarded-Proto from a known proxy).
        app.UseHsts();
        app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
                headers["Cross-Origin-Opener-Policy"] = "same-origin";
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
                headers.ContentSecurityPolicy = contentSecurityPolicy;
                headers.Remove("Server");
                headers.Remove("X-Powered-By");
                // Tokens must not linger in any cache.
                if (context.Request.Path.StartsWithSegments("/api/auth"))
                    headers.CacheControl = "no-store";
                return Task.CompletedTask;
            });
            return next(context);
        });
        return app;
    }
}
