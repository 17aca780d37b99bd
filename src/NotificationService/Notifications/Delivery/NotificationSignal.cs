using Marten;
using Marten.Services;

namespace Shop.NotificationService.Notifications.Delivery;

/// <summary>Wakes this instance's dispatcher when a notification became due here, instead of waiting for its poll.</summary>
public sealed class NotificationSignal
{
    readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        if (_signal.CurrentCount == 0)
        {
            try { _signal.Release(); }
            catch (SemaphoreFullException) { }
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);
}

/// <summary>Notifies <see cref="NotificationSignal"/> after a commit that inserted or re-queued notifications.</summary>
public sealed class NotificationCommitListener(NotificationSignal signal) : DocumentSessionListenerBase
{
    public override Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        if (commit.Inserted.OfType<Notification>().Any() || commit.Updated.OfType<Notification>().Any(n => n.Status == NotificationStatus.Pending))
            signal.Notify();
        return Task.CompletedTask;
    }
}
