using System.Security.Claims;
using Marten;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Shop.BuildingBlocks.Http;
using Shop.BuildingBlocks.Security;
using Shop.Contracts.Orders;

namespace Shop.NotificationService.Notifications.Tracking;

public record OrderTrackingEntry(string Status, long Version, DateTimeOffset At);

/// <summary>
/// The in-app channel: every status an order went through, as the customer's order-tracking feed (Id = order id).
/// Fed by OrderStatusChanged; exactly once per change because the inbox drops a message id it has already processed
/// (a rewound relay re-publishes old changes with their old ids).
/// </summary>
public class OrderTracking
{
    public Guid Id { get; set; }
    public Guid CustomerId { get; set; }
    public string Status { get; set; } = "";
    public List<OrderTrackingEntry> History { get; set; } = [];
}

public sealed class OrderTrackingConsumer(IDocumentSession session) : IConsumer<OrderStatusChanged>
{
    public async Task Consume(ConsumeContext<OrderStatusChanged> context)
    {
        var change = context.Message;
        var tracking = await session.LoadAsync<OrderTracking>(change.OrderId, context.CancellationToken)
                       ?? new OrderTracking { Id = change.OrderId, CustomerId = change.CustomerId };
        tracking.History.Add(new OrderTrackingEntry(change.Status, change.Version, change.At));
        // Changes of one order are relayed in stream order; the latest version decides the current status.
        tracking.Status = tracking.History.MaxBy(h => h.Version)!.Status;
        session.Store(tracking);
    }
}

public static class OrderTrackingEndpoint
{
    /// <summary>The customer's own order only; anyone else's answers 404 like a missing one.</summary>
    public static async Task<Results<Ok<OrderTracking>, ProblemHttpResult>> Handle(Guid orderId, ClaimsPrincipal user, IQuerySession session,
        CancellationToken cancellationToken)
    {
        var tracking = await session.LoadAsync<OrderTracking>(orderId, cancellationToken);
        return tracking is null || (tracking.CustomerId != user.GetUserId() && !user.IsAdmin())
            ? Problems.NotFound("The order's tracking")
            : TypedResults.Ok(tracking);
    }
}
