using Marten;
using MassTransit;
using MassTransit.Middleware;
using MassTransit.Middleware.Outbox;
using MassTransit.Serialization;
using MassTransit.Transports;

namespace Shop.BuildingBlocks.Messaging.Outbox;

/// <summary>
/// Publishes into the bus outbox through any Marten unit of work — e.g. the operations a Marten event subscription is
/// handed, which the async daemon commits together with the subscription's checkpoint. The messages reach RabbitMQ
/// through <see cref="OutboxDeliveryService"/> (publisher confirms) only if that transaction commits.
/// </summary>
public sealed class OutboxPublisher(IBus bus, IDocumentOperations operations, IServiceProvider provider) : OutboxSendContext
{
    readonly Guid _outboxId = NewId.NextGuid();
    IPublishEndpoint? _publishEndpoint;

    public IPublishEndpoint PublishEndpoint => _publishEndpoint ??= new PublishEndpoint(new OutboxPublishEndpointProvider(this, bus));

    /// <summary>Publishes with a caller-chosen message id, so the same logical message published twice is recognised by inboxes.</summary>
    public Task Publish<T>(T message, Guid messageId, CancellationToken cancellationToken) where T : class =>
        PublishEndpoint.Publish(message, context => context.MessageId = messageId, cancellationToken);

    public Task AddSend<T>(SendContext<T> context) where T : class
    {
        operations.Insert(OutboxMessage.From(context, SystemTextJsonMessageSerializer.Instance, outboxId: _outboxId));
        return Task.CompletedTask;
    }

    public object? GetService(Type serviceType) => provider.GetService(serviceType);
}
