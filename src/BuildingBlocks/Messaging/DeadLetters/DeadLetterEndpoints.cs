using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Shop.BuildingBlocks.Security;

namespace Shop.BuildingBlocks.Messaging.DeadLetters;

public record RedriveRequest(IReadOnlyList<string>? MessageIds);

public record DeadLettersResponse(IReadOnlyList<DeadLetterQueueSummary> Queues, IReadOnlyList<DeadLetter> Messages);

public static class DeadLetterEndpoints
{
    /// <summary>Admin-only: GET /admin/errors lists dead letters, POST /admin/errors/redrive sends them back (reached through
    /// the gateway as /api/admin/{service}/errors).</summary>
    public static IEndpointRouteBuilder MapDeadLetters(this IEndpointRouteBuilder app)
    {
        var errors = app.MapGroup("/admin/errors").WithTags("Operations").RequireAuthorization(ShopPolicies.Admin);
        errors.MapGet("/", async Task<Ok<DeadLettersResponse>> (DeadLetterQueues queues, CancellationToken cancellationToken, int limit = 50) =>
            TypedResults.Ok(new DeadLettersResponse(await queues.Summaries(cancellationToken), await queues.List(limit, cancellationToken))));
        errors.MapPost("/redrive", async Task<Ok<RedriveResult>> (DeadLetterQueues queues, RedriveRequest? request, CancellationToken cancellationToken) =>
            TypedResults.Ok(await queues.Redrive(request?.MessageIds, cancellationToken)));
        return app;
    }
}
