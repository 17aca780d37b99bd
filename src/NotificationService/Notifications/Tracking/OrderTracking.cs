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
/// Fed by the order service's relayed pages of status changes; a change it already has (same stream version) is
/// skipped, so a page delivered again — a redelivery, a rewound relay — adds nothing.
/// </summary>
public class OrderTracking
{
    public Guid Id { get; set; }
    public Guid CustomerId { get; set; }
    public string Status { get; set; } = "";
    public List<OrderTrackingEntry> History { get; set; } = [];

    /// <summary>Adds the change unless it is already there; the status is the latest version's.</summary>
    public bool Add(OrderStatusChanged change)
    {
        if (History.Any(h => h.Version == change.Version))
            return false;
        History.Add(new OrderTrackingEntry(change.Status, change.Version, change.At));
        History.Sort((a, b) => a.Version.CompareTo(b.Version));
        Status = History[^1].Status;
        return true;
    }
}

public sealed class OrderTrackingConsumer(IDocumentSession session) : IConsumer<OrderStatusesChanged>
{
    public async Task Consume(ConsumeContext<OrderStatusesChanged> context)
    {
        // One load and one write per order in the page, all in this message's one transaction. Two pages touching the
        // same order at once conflict (optimistic concurrency) and the loser is retried on fresh state.
        var byOrder = context.Message.Changes.GroupBy(c => c.OrderId).ToList();
        var existing = (await session.LoadManyAsync<OrderTracking>(context.CancellationToken, byOrder.Select(g => g.Key)))
            .ToDictionary(t => t.Id);
        foreach (var changes in byOrder)
        {
            var isNew = !existing.TryGetValue(changes.Key, out var tracking);
            tracking ??= new OrderTracking { Id = changes.Key, CustomerId = changes.First().CustomerId };
            var added = changes.Aggregate(false, (any, change) => tracking.Add(change) | any);
            if (isNew)
                session.Insert(tracking);
            else if (added)
                session.Update(tracking);
        }
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
