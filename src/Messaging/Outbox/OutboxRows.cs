using Marten;
using MassTransit;
using MassTransit.Middleware;
using MassTransit.Middleware.Outbox;
using MassTransit.Transports;

namespace Shop.Messaging.Outbox;

/// <summary>Writing outbox rows into a Marten unit of work (they commit with it or not at all).</summary>
public static class OutboxRows
{
    /// <summary>
    /// Queues the insert of a row: visible to the relay at its due time (scheduled), after <paramref name="lease"/>
    /// (the caller sends it itself after the commit), or at once.
    /// </summary>
    public static void QueueInsert(IDocumentOperations operations, MessagingTables tables, OutboxEnvelope envelope, TimeSpan? lease = null)
    {
        var values = envelope.InsertValues();
        const string placeholders = OutboxEnvelope.InsertPlaceholders;
        if (envelope.DueAt is { } due)
            operations.QueueSqlCommand($"insert into {tables.Outbox} ({OutboxEnvelope.InsertColumns}) values ({placeholders}, ?)",
                [.. values!, OutboxEnvelope.Utc(due)!]);
        else
            operations.QueueSqlCommand(
                $"insert into {tables.Outbox} ({OutboxEnvelope.InsertColumns}) values ({placeholders}, now() + make_interval(secs => ?))",
                [.. values!, (lease ?? TimeSpan.Zero).TotalSeconds]);
    }
}

/// <summary>
/// Publishes through the operations of a unit of work this code does not commit itself — e.g. those the async daemon
/// hands a Marten event subscription, committed with the subscription's checkpoint. The rows are visible to the relay
/// at once (nobody else sends them); the same logical message published twice should carry the same message id, so
/// that receivers' inboxes drop the copy.
/// </summary>
public sealed class OperationsOutbox(IBus bus, IDocumentOperations operations, MessagingTables tables, IServiceProvider services) : OutboxSendContext
{
    IPublishEndpoint? _publish;

    public IPublishEndpoint PublishEndpoint => _publish ??= new PublishEndpoint(new OutboxPublishEndpointProvider(this, bus));

    public Task Publish<T>(T message, Guid messageId, CancellationToken cancellationToken) where T : class =>
        PublishEndpoint.Publish(message, context => context.MessageId = messageId, cancellationToken);

    public Task AddSend<T>(SendContext<T> context) where T : class
    {
        OutboxRows.QueueInsert(operations, tables, OutboxEnvelope.From(context));
        return Task.CompletedTask;
    }

    public object? GetService(Type serviceType) => services.GetService(serviceType);
}
