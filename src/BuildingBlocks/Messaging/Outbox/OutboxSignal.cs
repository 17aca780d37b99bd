using Marten;
using Marten.Services;
using Shop.BuildingBlocks.Hosting;

namespace Shop.BuildingBlocks.Messaging.Outbox;

/// <summary>Wakes the delivery service as soon as a transaction with outbox rows commits, instead of waiting for its poll.</summary>
public sealed class OutboxSignal : WakeUpSignal;

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
