using Microsoft.Extensions.Options;

namespace Shop.NotificationService.Notifications.Delivery;

/// <summary>
/// Sends due notifications: claims a batch (so instances never share an attempt), sends each through its channel's
/// sender with no database transaction open, then records the batch's outcomes together. Runs on every instance; they
/// split the work.
///
/// Exactly once, as far as it can go: the send and the record of it cannot share a transaction. A message is sent a
/// second time only if the SMTP server accepted it and this process then died (or could not reach PostgreSQL for the
/// whole claim) before the "Sent" update committed, a window of one single-row update; the claim then expires and
/// another attempt sends it again, with the same Message-ID so that mail systems can recognise the copy.
/// </summary>
public sealed class NotificationDispatcher(
    NotificationClaims claims,
    DeliveryOutcomes outcomes,
    IEnumerable<INotificationSender> senders,
    NotificationSignal signal,
    IOptions<DeliveryOptions> options,
    ILogger<NotificationDispatcher> logger) : BackgroundService
{
    readonly Dictionary<string, INotificationSender> _senders = senders.ToDictionary(s => s.Channel);
    readonly DeliveryOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // One transaction claims the batch, one records all its outcomes; only the sends are one by one.
                var claimed = await claims.ClaimDueAsync(_options.BatchSize, stoppingToken);
                var delivered = new (DeliveryClaim Claim, Exception? Failure)[claimed.Count];
                await Parallel.ForEachAsync(Enumerable.Range(0, claimed.Count),
                    new ParallelOptions { MaxDegreeOfParallelism = _options.MaxParallelSends, CancellationToken = stoppingToken },
                    async (i, _) => delivered[i] = (claimed[i], await DeliverAsync(claimed[i])));
                if (delivered.Length > 0)
                    await outcomes.RecordAllAsync(delivered);
                failures = 0;
                if (claimed.Count < _options.BatchSize)
                    await signal.WaitAsync(_options.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                failures++;
                var pause = TimeSpan.FromMilliseconds(Math.Min(30_000, 250 * Math.Pow(2, Math.Min(failures, 7))));
                logger.LogWarning(exception, "Looking for due notifications failed; trying again in {Pause}", pause);
                try { await Task.Delay(pause, stoppingToken); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    // Deliberately not cancelled by shutdown: an attempt cut off mid-send is the one case that can duplicate a message.
    // The send has its own time limit, well inside the claim. Returns why it failed, or null once sent.
    async Task<Exception?> DeliverAsync(DeliveryClaim claim)
    {
        var notification = claim.Notification;
        Exception? failure = null;
        try
        {
            if (!_senders.TryGetValue(notification.Channel, out var sender))
                throw new PermanentDeliveryException($"No sender for channel '{notification.Channel}'");
            using var timeout = new CancellationTokenSource(_options.SendTimeout);
            await sender.SendAsync(notification, timeout.Token);
            logger.LogInformation("Sent {Kind} of order {OrderId} by {Channel} to {Recipient} (attempt {Attempt})",
                notification.Kind, notification.OrderId, notification.Channel, notification.Recipient, notification.Attempts);
        }
        catch (Exception exception)
        {
            failure = exception;
        }
        return failure;
    }
}
