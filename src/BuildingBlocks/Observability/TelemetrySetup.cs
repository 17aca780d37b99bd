using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Shop.BuildingBlocks.Observability;

public static class TelemetrySetup
{
    /// <summary>
    /// Structured JSON logs on stdout (./shop writes one file per service) and OpenTelemetry tracing across ASP.NET Core,
    /// HttpClient, MassTransit, Marten and Npgsql, exported over OTLP — when an endpoint is configured (Otel:Endpoint or the
    /// standard OTEL_EXPORTER_OTLP_ENDPOINT). Without one, no tracing is set up at all: recording spans that nobody
    /// collects cost several per message and per database command (docs/PERFORMANCE.md).
    /// </summary>
    public static WebApplicationBuilder AddShopTelemetry(this WebApplicationBuilder builder, string serviceName)
    {
        builder.Logging.ClearProviders();
        // Schema SQL and per-request chatter drown the events that matter; appsettings or env can lower these again.
        builder.Logging.AddFilter("Marten", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        if (builder.Configuration["Logging:Format"] == "text")
            builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; });
        else
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            });

        var endpoint = builder.Configuration["Otel:Endpoint"] ?? builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        if (string.IsNullOrWhiteSpace(endpoint))
            return builder;
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !context.Request.Path.StartsWithSegments("/health"))
                .AddHttpClientInstrumentation()
                .AddSource("MassTransit")
                .AddSource("Marten")
                .AddNpgsql()
                .AddOtlpExporter(o => o.Endpoint = new Uri(endpoint)));
        return builder;
    }
}
