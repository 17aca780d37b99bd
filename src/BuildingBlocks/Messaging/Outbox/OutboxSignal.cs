using Marten;
using Marten.Services;

namespace Shop.BuildingBlocks.Messaging.Outbox;

/// <summary>Wakes the delivery service as soon as a transaction with outbox rows commits, instead of waiting for its poll.</summary>
public sealed class OutboxSignal
{
    readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        // One pending wake-up is enough: the service drains everything that is due when it runs.
        if (_signal.CurrentCount == 0)
        {
            try { _signal.Release(); }
            catch (SemaphoreFullException) { }
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);
}

/// <summary>Notifies <see cref="OutboxSignal"/> after any commit that inserted bus outbox rows.</summary>
public sealed class OutboxCommitListener(OutboxSignal signal) : DocumentSessionListenerBase
{
    public override Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        if (commit.Inserted.OfType<OutboxMessage>().Any(m => m.OutboxId.HasValue))
            signal.Notify();
        return Task.CompletedTask;
    }
}
