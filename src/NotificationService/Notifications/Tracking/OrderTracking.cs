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
        // Changes of one order can be consumed concurrently: a new feed is inserted (a second insert conflicts), an
        // existing one updated with optimistic concurrency; the loser of a race is retried on fresh state.
        var tracking = await session.LoadAsync<OrderTracking>(change.OrderId, context.CancellationToken);
        if (tracking is null)
        {
            tracking = new OrderTracking { Id = change.OrderId, CustomerId = change.CustomerId };
            session.Insert(tracking);
        }
        else
            session.Update(tracking);
        tracking.History.Add(new OrderTrackingEntry(change.Status, change.Version, change.At));
        tracking.History.Sort((a, b) => a.Version.CompareTo(b.Version));
        tracking.Status = tracking.History[^1].Status;
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
