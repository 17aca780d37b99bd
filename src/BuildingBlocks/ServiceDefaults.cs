using JasperFx;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Shop.BuildingBlocks.Health;
using Shop.BuildingBlocks.Http;
using Shop.BuildingBlocks.Messaging.DeadLetters;
using Shop.Messaging.Errors;
using Shop.BuildingBlocks.Observability;
using Shop.BuildingBlocks.Operations;
using Shop.BuildingBlocks.Security;

namespace Shop.BuildingBlocks;

public static class ServiceDefaults
{
    /// <summary>
    /// What every Shop service has: logs and traces, ProblemDetails, JWT validation, health, OpenAPI, and the input hygiene
    /// (allowed methods, no control characters) and private-response caching rules of <see cref="UseShopDefaults"/>.
    /// </summary>
    public static WebApplicationBuilder AddShopDefaults(this WebApplicationBuilder builder, string serviceName)
    {
        builder.AddShopTelemetry(serviceName);
        builder.AddShopProblemDetails();
        builder.AddShopRequestSizeLimits();
        builder.AddShopAuthentication();
        builder.Services.AddShopHealthChecks().AddPostgresCheck();
        builder.Services.AddOpenApi(options => options.UseConfiguredServers(builder.Configuration));
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));
        return builder;
    }

    public static WebApplication UseShopDefaults(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseShopRequestSizeLimits();
        app.UseShopInputHygiene();
        app.UseShopPrivateResponses();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapShopHealth();
        app.MapOpenApi().AllowAnonymous();
        if (app.Services.GetService<DeadLetterQueues>() is not null)
            app.MapDeadLetters();
        if (app.Services.GetService<OperationsCatalog>() is not null)
            app.MapShopOperations();
        return app;
    }

    /// <summary>
    /// Runs the service. With a command as first argument it runs Marten's command line instead (db-apply, db-assert,
    /// projections list|rebuild, describe, help...: see README "Operating Shop"). Arguments that start with '-' are the
    /// host's own (--urls, --Key=Value settings) and still just run the service.
    /// </summary>
    public static async Task<int> RunShopAsync(this WebApplication app, string[] args)
    {
        if (args.Length > 0 && !args[0].StartsWith('-'))
            return await app.RunJasperFxCommands(args);
        await app.RunAsync();
        return 0;
    }
}
