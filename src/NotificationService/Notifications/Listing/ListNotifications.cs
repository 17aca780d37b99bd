using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Shop.BuildingBlocks.Security;

namespace Shop.NotificationService.Notifications.Listing;

public record NotificationResponse(Guid OrderId, string Kind, string Channel, string Recipient, string Subject, string Status, int Attempts,
    DateTimeOffset CreatedAt, DateTimeOffset? SentAt);

public static class ListNotificationsEndpoint
{
    public static async Task<Ok<IReadOnlyList<NotificationResponse>>> Mine(ClaimsPrincipal user, IQuerySession session, CancellationToken cancellationToken)
    {
        var customerId = user.GetUserId();
        var notifications = await session.Query<Notification>()
            .Where(n => n.CustomerId == customerId)
            .OrderByDescending(n => n.CreatedAt)
            .Take(200)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok<IReadOnlyList<NotificationResponse>>(notifications.Select(n => new NotificationResponse(n.OrderId, n.Kind, n.Channel,
            n.Recipient, n.Subject, n.Status.ToString(), n.Attempts, n.CreatedAt, n.SentAt)).ToList());
    }
}
