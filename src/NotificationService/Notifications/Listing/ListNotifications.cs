using System.Security.Claims;
using Marten;
using Marten.Linq;
using Microsoft.AspNetCore.Http.HttpResults;
using Shop.BuildingBlocks.Http;
using Shop.BuildingBlocks.Security;

namespace Shop.NotificationService.Notifications.Listing;

public record NotificationResponse(Guid OrderId, string Kind, string Channel, string Recipient, string Subject, string Status, int Attempts,
    DateTimeOffset CreatedAt, DateTimeOffset? SentAt);

/// <summary>What an admin sees of a notification: its delivery state, including the last error.</summary>
public record AdminNotificationResponse(string Id, Guid OrderId, Guid CustomerId, string Kind, string Channel, string Recipient, string Subject,
    string Status, int Attempts, string? LastError, DateTimeOffset CreatedAt, DateTimeOffset? LastAttemptAt, DateTimeOffset? NextAttemptAt,
    DateTimeOffset? SentAt, DateTimeOffset? FailedAt)
{
    public static AdminNotificationResponse From(Notification n) => new(n.Id, n.OrderId, n.CustomerId, n.Kind, n.Channel, n.Recipient, n.Subject,
        n.Status.ToString(), n.Attempts, n.LastError, n.CreatedAt, n.LastAttemptAt, n.NextAttemptAt, n.SentAt, n.FailedAt);
}

public record NotificationPage(IReadOnlyList<AdminNotificationResponse> Items, long Total, int Page, int PageSize);

public static class ListNotificationsEndpoint
{
    public const int MaxPageSize = 200;

    /// <summary>The signed-in customer's notifications, newest first.</summary>
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

    /// <summary>Admin: every notification, filtered by status (e.g. Failed), order or channel, newest first, paged.</summary>
    public static async Task<Results<Ok<NotificationPage>, ValidationProblem>> All(IQuerySession session, CancellationToken cancellationToken,
        string? status = null, Guid? orderId = null, string? channel = null, int page = 1, int pageSize = 50)
    {
        NotificationStatus? wanted = null;
        if (!string.IsNullOrWhiteSpace(status))
        {
            var name = Enum.GetNames<NotificationStatus>().FirstOrDefault(s => s.Equals(status.Trim(), StringComparison.OrdinalIgnoreCase));
            if (name is null)
                return Problems.Validation("status", $"status must be one of: {string.Join(", ", Enum.GetNames<NotificationStatus>())}.");
            wanted = Enum.Parse<NotificationStatus>(name);
        }
        if (Paging.Problems(page, pageSize, MaxPageSize) is { Count: > 0 } errors)
            return Problems.Validation(errors);

        IQueryable<Notification> query = session.Query<Notification>().Stats(out QueryStatistics stats);
        if (wanted is { } s)
            query = query.Where(n => n.Status == s);
        if (orderId is { } order)
            query = query.Where(n => n.OrderId == order);
        if (!string.IsNullOrWhiteSpace(channel))
        {
            var c = channel.Trim().ToLowerInvariant();
            query = query.Where(n => n.Channel == c);
        }

        var items = await query.OrderByDescending(n => n.CreatedAt).ThenBy(n => n.Id)
            .Skip(Paging.Skip(page, pageSize)).Take(pageSize).ToListAsync(cancellationToken);
        return TypedResults.Ok(new NotificationPage(items.Select(AdminNotificationResponse.From).ToList(), stats.TotalResults, page, pageSize));
    }
}
