using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Shop.BuildingBlocks.Operations.Projections;
using Shop.BuildingBlocks.Operations.Sagas;
using Shop.BuildingBlocks.Operations.Streams;
using Shop.BuildingBlocks.Operations.Subscriptions;
using Shop.BuildingBlocks.Security;

namespace Shop.BuildingBlocks.Operations;

public static class OperationsSetup
{
    /// <summary>
    /// Operator endpoints under /admin (admin role only; through the gateway /api/admin/{service}/...): event streams
    /// with time travel, projections with rebuilds, subscriptions with rewind, sagas. Call after AddShopMarten.
    /// </summary>
    public static WebApplicationBuilder AddShopOperations(this WebApplicationBuilder builder, Action<OperationsCatalog> describe)
    {
        var catalog = new OperationsCatalog();
        describe(catalog);
        builder.Services.AddSingleton(catalog);
        builder.Services.AddSingleton<StreamSources>();
        builder.Services.AddSingleton<EventProgress>();
        builder.Services.AddSingleton<ProjectionRebuilds>();
        return builder;
    }

    public static IEndpointRouteBuilder MapShopOperations(this IEndpointRouteBuilder app)
    {
        var catalog = app.ServiceProvider.GetRequiredService<OperationsCatalog>();
        var admin = app.MapGroup("/admin").WithTags("Operations").RequireAuthorization(ShopPolicies.Admin);

        if (catalog.Streams.Count > 0)
        {
            admin.MapGet("/streams", StreamEndpoints.List)
                .WithSummary("Streams of a type, newest first, filtered by customer, status and creation date range, paged");
            admin.MapGet("/streams/{id:guid}", StreamEndpoints.Show)
                .WithSummary("Every event of a stream with its version, sequence, type, time, data and metadata (correlation, causation, user)");
            admin.MapGet("/streams/{id:guid}/state", StreamEndpoints.State)
                .WithSummary("The stream's state after `version` events or as of time `at` (time travel); the current state without either");
        }

        admin.MapGet("/projections", ProjectionEndpoints.List).WithSummary("Projections with their positions and lag");
        admin.MapPost("/projections/{name}/rebuild", ProjectionEndpoints.Rebuild)
            .WithSummary("Starts rebuilding an async projection while the service keeps running; poll GET for progress");
        admin.MapGet("/projections/{name}/rebuild", ProjectionEndpoints.RebuildStatus).WithSummary("Progress of the projection's latest rebuild");

        admin.MapGet("/subscriptions", SubscriptionEndpoints.List).WithSummary("Event subscriptions and the outbox relay with their positions");
        admin.MapPost("/subscriptions/{name}/rewind", SubscriptionEndpoints.Rewind)
            .WithSummary("Replays the events after sequence `to` to a subscription");

        if (catalog.Sagas.Count > 0)
        {
            admin.MapGet("/sagas/stuck", SagaEndpoints.Stuck).WithSummary("Unfinished sagas that have not moved for longer than `olderThan`");
            admin.MapGet("/sagas/{id:guid}", SagaEndpoints.Show).WithSummary("A saga instance: state, versions, document");
        }
        return app;
    }
}
