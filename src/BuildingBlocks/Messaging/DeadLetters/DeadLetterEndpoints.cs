using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Npgsql;
using Shop.BuildingBlocks.Security;
using Shop.Messaging;
using Shop.Messaging.Errors;
using Shop.Messaging.Outbox;

namespace Shop.BuildingBlocks.Messaging.DeadLetters;

public record RedriveRequest(IReadOnlyList<string>? MessageIds);

/// <param name="Queues">The service's error (and skipped) queues with their message counts.</param>
/// <param name="Messages">Messages the service failed to consume (from its error queue).</param>
/// <param name="DeadOutbox">Messages the service produced but could not hand to the broker (dead outbox rows).</param>
public record DeadLettersResponse(IReadOnlyList<DeadLetterQueueSummary> Queues, IReadOnlyList<DeadLetter> Messages,
    IReadOnlyList<DeadOutboxRow> DeadOutbox);

/// <param name="OutboxRedriven">Dead outbox rows put back in line for the relay.</param>
public record ErrorsRedriveResult(int Redriven, int Kept, IReadOnlyList<string> Errors, int OutboxRedriven);

public static class DeadLetterEndpoints
{
    const int MaxListed = 200;

    /// <summary>Admin-only: GET /admin/errors lists dead letters and dead outbox rows, POST /admin/errors/redrive sends them
    /// back, GET /admin/messaging shows this instance's messaging figures (reached through the gateway as
    /// /api/admin/{service}/...).</summary>
    public static IEndpointRouteBuilder MapDeadLetters(this IEndpointRouteBuilder app)
    {
        var errors = app.MapGroup("/admin/errors").WithTags("Operations").RequireAuthorization(ShopPolicies.Admin);
        errors.MapGet("/", async Task<Ok<DeadLettersResponse>> (DeadLetterQueues queues, DeadOutboxRows outbox, CancellationToken cancellationToken,
            int limit = 50) =>
        {
            limit = Math.Clamp(limit, 1, MaxListed);
            return TypedResults.Ok(new DeadLettersResponse(await queues.Summaries(cancellationToken), await queues.List(limit, cancellationToken),
                await outbox.List(limit, cancellationToken)));
        });
        errors.MapPost("/redrive", async Task<Ok<ErrorsRedriveResult>> (DeadLetterQueues queues, DeadOutboxRows outbox, RedriveRequest? request,
            CancellationToken cancellationToken) =>
        {
            var broker = await queues.Redrive(request?.MessageIds, cancellationToken);
            var rows = await outbox.Redrive(request?.MessageIds, cancellationToken);
            return TypedResults.Ok(new ErrorsRedriveResult(broker.Redriven, broker.Kept, broker.Errors, rows));
        });
        app.MapGet("/admin/messaging", async Task<Ok<MessagingStatus>> (MessagingCounters counters, OutboxRelay relay, NpgsqlDataSource database,
                MessagingTables tables, CancellationToken cancellationToken) =>
                TypedResults.Ok(await MessagingStatus.Read(counters, relay, database, tables, cancellationToken)))
            .WithTags("Operations").RequireAuthorization(ShopPolicies.Admin);
        return app;
    }
}
