using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Shop.BuildingBlocks.Http;
using Shop.NotificationService.Notifications.Listing;

namespace Shop.NotificationService.Notifications.Retrying;

/// <summary>Admin: puts a Failed notification back in the queue with a fresh set of attempts (e.g. after fixing the SMTP settings).</summary>
public static class RetryNotificationEndpoint
{
    public static async Task<Results<Accepted<AdminNotificationResponse>, ProblemHttpResult>> Handle(
        string id, IDocumentSession session, CancellationToken cancellationToken)
    {
        var notification = await session.LoadAsync<Notification>(id, cancellationToken);
        if (notification is null)
            return Problems.NotFound("The notification");
        if (notification.Status != NotificationStatus.Failed)
            return Problems.Conflict($"Only failed notifications can be retried; this one is {notification.Status}.");

        var now = DateTimeOffset.UtcNow;
        notification.Status = NotificationStatus.Pending;
        notification.Attempts = 0;
        notification.NextAttemptAt = now;
        notification.FailedAt = null;
        session.Update(notification);
        await session.SaveChangesAsync(cancellationToken);
        return TypedResults.Accepted((string?)null, AdminNotificationResponse.From(notification));
    }
}
