using JasperFx;
using Marten;
using Microsoft.Extensions.Options;

namespace Shop.NotificationService.Notifications.Delivery;

/// <summary>One dispatcher's right to make one delivery attempt, until <see cref="ExpiresAt"/>.</summary>
public sealed record DeliveryClaim(Notification Notification, Guid Token, DateTimeOffset ExpiresAt);

/// <summary>
/// Finds due notifications and claims them, one attempt at a time. A claim is an optimistic-concurrency update of the
/// record (Pending → Sending, attempt counted, claim token, claim end in NextAttemptAt), so when several instances race
/// for the same record exactly one wins and the others move on. No transaction stays open while a message is sent.
/// </summary>
public sealed class NotificationClaims(IDocumentStore store, IOptions<DeliveryOptions> options, ILogger<NotificationClaims> logger)
{
    public async Task<IReadOnlyList<string>> DueAsync(int max, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        await using var session = store.QuerySession();
        return await session.Query<Notification>()
            .Where(n => (n.Status == NotificationStatus.Pending || n.Status == NotificationStatus.Sending) && n.NextAttemptAt <= now)
            .OrderBy(n => n.NextAttemptAt)
            .Select(n => n.Id)
            .Take(max)
            .ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Claims up to <paramref name="max"/> due notifications with one read and one transaction. When another dispatcher
    /// claimed one of them meanwhile, the batch's version checks fail as a whole and each is claimed on its own instead.
    /// </summary>
    public async Task<IReadOnlyList<DeliveryClaim>> ClaimDueAsync(int max, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        await using var session = store.LightweightSession();
        var due = await session.Query<Notification>()
            .Where(n => (n.Status == NotificationStatus.Pending || n.Status == NotificationStatus.Sending) && n.NextAttemptAt <= now)
            .OrderBy(n => n.NextAttemptAt)
            .Take(max)
            .ToListAsync(cancellationToken);
        if (due.Count == 0)
            return [];

        var claims = due.Select(notification => Claim(session, notification, now)).ToList();
        try
        {
            await session.SaveChangesAsync(cancellationToken);
            return claims;
        }
        catch (ConcurrencyException)
        {
            var claimed = new List<DeliveryClaim>();
            foreach (var notification in due)
            {
                if (await TryClaimAsync(notification.Id, cancellationToken) is { } claim)
                    claimed.Add(claim);
            }
            return claimed;
        }
    }

    public async Task<DeliveryClaim?> TryClaimAsync(string id, CancellationToken cancellationToken)
    {
        await using var session = store.LightweightSession();
        var notification = await session.LoadAsync<Notification>(id, cancellationToken);
        var now = DateTimeOffset.UtcNow;
        if (notification is not { Status: NotificationStatus.Pending or NotificationStatus.Sending } || notification.NextAttemptAt > now)
            return null;

        var claim = Claim(session, notification, now);
        try
        {
            await session.SaveChangesAsync(cancellationToken);
        }
        catch (ConcurrencyException)
        {
            return null; // another dispatcher claimed it first
        }
        return claim;
    }

    /// <summary>Stages the claim of one attempt (Sending, attempt counted, claim token, claim end in NextAttemptAt).</summary>
    DeliveryClaim Claim(IDocumentSession session, Notification notification, DateTimeOffset now)
    {
        if (notification.Status == NotificationStatus.Sending)
            logger.LogWarning(
                "The claim on {NotificationId} (attempt {Attempt}) expired without an outcome; trying again. If that attempt reached the server, the recipient gets this message twice",
                notification.Id, notification.Attempts);

        var token = Guid.NewGuid();
        var expiresAt = now + options.Value.ClaimTimeout;
        notification.Status = NotificationStatus.Sending;
        notification.Attempts++;
        notification.LastAttemptAt = now;
        notification.ClaimToken = token;
        notification.NextAttemptAt = expiresAt;
        session.Update(notification);
        return new DeliveryClaim(notification, token, expiresAt);
    }
}
