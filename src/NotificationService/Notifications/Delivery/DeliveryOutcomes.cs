using Marten;
using MassTransit;
using Shop.BuildingBlocks.Operations;
using Microsoft.Extensions.Options;
using Shop.Contracts.Notifications;

namespace Shop.NotificationService.Notifications.Delivery;

/// <summary>
/// Records how an attempt ended, and publishes what the order saga needs to know, in one transaction (the messages go
/// through the outbox): Sent + CustomerNotified; Pending again with the next retry time; or Failed +
/// CustomerNotificationFailed once the attempts are used up or the provider refused the message for good.
/// </summary>
public sealed class DeliveryOutcomes(IServiceScopeFactory scopes, IOptions<DeliveryOptions> options, ILogger<DeliveryOutcomes> logger)
{
    const int MaxErrorLength = 500;

    /// <summary>
    /// Records a batch's outcomes in one transaction. Should that fail (a database hiccup), each is recorded on its own,
    /// with retries until its claim expires.
    /// </summary>
    public async Task RecordAllAsync(IReadOnlyList<(DeliveryClaim Claim, Exception? Failure)> delivered)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var session = scope.ServiceProvider.GetRequiredService<IDocumentSession>();
            var publish = scope.ServiceProvider.GetRequiredService<IPublishEndpoint>();
            var current = (await session.LoadManyAsync<Notification>(delivered.Select(d => d.Claim.Notification.Id))).ToDictionary(n => n.Id);
            foreach (var (claim, failure) in delivered)
                await Record(session, publish, current.GetValueOrDefault(claim.Notification.Id), claim, failure);
            await session.SaveChangesAsync();
        }
        catch (Exception exception)
        {
            logger.LogWarning(exception, "Recording {Count} delivery outcomes together failed; recording them one by one", delivered.Count);
            foreach (var (claim, failure) in delivered)
                await RecordAsync(claim, failure);
        }
    }

    public async Task RecordAsync(DeliveryClaim claim, Exception? failure)
    {
        // A message that was sent but not recorded as Sent is sent again once the claim expires: keep trying to record
        // the outcome until then (a database hiccup must not turn into a duplicate email).
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await RecordOnceAsync(claim, failure);
                return;
            }
            catch (Exception exception) when (DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1) < claim.ExpiresAt)
            {
                var pause = TimeSpan.FromMilliseconds(Math.Min(5_000, 100 * Math.Pow(2, Math.Min(attempt, 6))));
                logger.LogWarning(exception, "Recording the outcome of {NotificationId} failed (try {Try}); retrying in {Pause}",
                    claim.Notification.Id, attempt, pause);
                await Task.Delay(pause);
            }
            catch (Exception exception)
            {
                logger.LogError(exception, "Could not record the outcome of {NotificationId} before its claim expired; it will be attempted again{Sent}",
                    claim.Notification.Id, failure is null ? " although it was sent (a duplicate)" : "");
                return;
            }
        }
    }

    async Task RecordOnceAsync(DeliveryClaim claim, Exception? failure)
    {
        await using var scope = scopes.CreateAsyncScope();
        var session = scope.ServiceProvider.GetRequiredService<IDocumentSession>();
        // Outside a consumer the scoped publish endpoint writes outbox rows into this session: published only on commit.
        var publish = scope.ServiceProvider.GetRequiredService<IPublishEndpoint>();
        await Record(session, publish, await session.LoadAsync<Notification>(claim.Notification.Id), claim, failure);
        await session.SaveChangesAsync();
    }

    /// <summary>Stages one outcome (and the message the saga needs) in the session; the caller commits.</summary>
    async Task Record(IDocumentSession session, IPublishEndpoint publish, Notification? notification, DeliveryClaim claim, Exception? failure)
    {
        if (notification?.ClaimToken != claim.Token)
        {
            logger.LogWarning("{NotificationId} was claimed by another dispatcher meanwhile; its outcome is theirs to record", claim.Notification.Id);
            return;
        }

        var now = DateTimeOffset.UtcNow;
        notification.ClaimToken = null;
        if (failure is null)
        {
            notification.Status = NotificationStatus.Sent;
            notification.SentAt = now;
            notification.NextAttemptAt = null;
            await publish.Publish(new CustomerNotified(notification.OrderId, notification.Kind, notification.Channel, now), ActingUserOf<CustomerNotified>(notification));
        }
        else
        {
            notification.LastError = Describe(failure);
            if (failure is PermanentDeliveryException || notification.Attempts >= options.Value.MaxAttempts)
            {
                notification.Status = NotificationStatus.Failed;
                notification.FailedAt = now;
                notification.NextAttemptAt = null;
                logger.LogError("Giving up on {NotificationId} after {Attempts} attempt(s): {Error}", notification.Id, notification.Attempts, notification.LastError);
                await publish.Publish(new CustomerNotificationFailed(notification.OrderId, notification.Kind, notification.Channel,
                    notification.LastError, now), ActingUserOf<CustomerNotificationFailed>(notification));
            }
            else
            {
                notification.Status = NotificationStatus.Pending;
                notification.NextAttemptAt = now + options.Value.RetryDelay(notification.Attempts, Random.Shared.NextDouble());
                logger.LogWarning("Attempt {Attempt} of {NotificationId} failed ({Error}); next attempt at {NextAttemptAt:O}",
                    notification.Attempts, notification.Id, notification.LastError, notification.NextAttemptAt);
            }
        }
        session.Update(notification);
    }

    static string Describe(Exception failure)
    {
        var text = $"{failure.GetType().Name}: {failure.Message}";
        return text.Length <= MaxErrorLength ? text : text[..MaxErrorLength];
    }

    static Action<PublishContext<T>> ActingUserOf<T>(Notification notification) where T : class =>
        context => ActingUser.Stamp(context.Headers, (notification.ActingUserId, notification.ActingUser));
}
