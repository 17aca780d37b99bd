using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Shop.NotificationService.Notifications.Delivery;

/// <summary>
/// Sends due notifications: claims a batch (so instances never share an attempt), sends each through its channel's
/// sender with no database transaction open, and records outcomes as the sends finish, several in one transaction
/// (group commit). Runs on every instance; they split the work.
///
/// Exactly once, as far as it can go: the send and the record of it cannot share a transaction. A message is sent a
/// second time only if the SMTP server accepted it and this process then died (or could not reach PostgreSQL for the
/// whole claim) before the "Sent" update committed; the claim then expires and another attempt sends it again, with the
/// same Message-ID so that mail systems can recognise the copy. A sender takes its next notification only once the
/// outcome of its last one is committed, so at most <see cref="DeliveryOptions.MaxParallelSends"/> messages are ever
/// sent and unrecorded: that is what one crash can duplicate. (Recording a whole batch after all of its sends let one
/// crash duplicate up to a batch, 50 — the crash test saw 49.)
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
                // One transaction claims the batch; outcomes are committed in groups while the sends go on.
                var claimed = await claims.ClaimDueAsync(_options.BatchSize, stoppingToken);
                if (claimed.Count > 0)
                    await DeliverAndRecordAsync(claimed, stoppingToken);
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

    sealed record Outcome(DeliveryClaim Claim, Exception? Failure, TaskCompletionSource Recorded);

    /// <summary>
    /// <see cref="DeliveryOptions.MaxParallelSends"/> senders; each hands its outcome to the recorder and waits until it is
    /// committed before it takes the next claim. The recorder commits whatever has arrived in one transaction, so under
    /// load the outcomes of several sends share a commit, and a send never waits for more than one commit.
    /// </summary>
    async Task DeliverAndRecordAsync(IReadOnlyList<DeliveryClaim> claimed, CancellationToken stoppingToken)
    {
        var finished = Channel.CreateUnbounded<Outcome>(new UnboundedChannelOptions { SingleReader = true });
        var recording = RecordAsTheyFinishAsync(finished.Reader);
        try
        {
            // Shutdown stops new sends; the ones under way finish and are recorded (the recorder is not cancelled).
            await Parallel.ForEachAsync(claimed,
                new ParallelOptions { MaxDegreeOfParallelism = _options.MaxParallelSends, CancellationToken = stoppingToken },
                async (claim, _) =>
                {
                    var outcome = new Outcome(claim, await DeliverAsync(claim), new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
                    finished.Writer.TryWrite(outcome);
                    await outcome.Recorded.Task;
                });
        }
        finally
        {
            finished.Writer.Complete();
            await recording;
        }
    }

    async Task RecordAsTheyFinishAsync(ChannelReader<Outcome> finished)
    {
        var group = new List<Outcome>(_options.MaxParallelSends);
        while (await finished.WaitToReadAsync())
        {
            while (finished.TryRead(out var outcome))
                group.Add(outcome);
            // Never throws: a failed group commit falls back to recording each outcome on its own, with retries.
            await outcomes.RecordAllAsync(group.Select(o => (o.Claim, o.Failure)).ToList());
            foreach (var outcome in group)
                outcome.Recorded.TrySetResult();
            group.Clear();
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
