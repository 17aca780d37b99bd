using Marten;
using Marten.Services;
using Shop.BuildingBlocks.Hosting;

namespace Shop.NotificationService.Notifications.Delivery;

/// <summary>Wakes this instance's dispatcher when a notification became due here, instead of waiting for its poll.</summary>
public sealed class NotificationSignal : WakeUpSignal;

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
