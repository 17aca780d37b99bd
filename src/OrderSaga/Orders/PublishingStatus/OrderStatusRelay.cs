using System.Security.Cryptography;
using System.Text;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using MassTransit;
using Shop.Messaging;
using Shop.Messaging.Outbox;
using Shop.Contracts.Orders;
using Shop.OrderSaga.Orders.Projections;

namespace Shop.OrderSaga.Orders.PublishingStatus;

/// <summary>
/// A Marten event subscription over the order streams that publishes <see cref="OrderStatusChanged"/> for every event
/// that moves an order to another status. The messages go into the bus outbox through the daemon's own unit of work,
/// so they commit atomically with the subscription's checkpoint and reach RabbitMQ through the outbox relay (publisher
/// confirms). Each message's id is derived from (order, stream version): after a rewind the same changes are published
/// again with the same ids, and the receivers' inboxes drop the ones they already processed.
/// </summary>
public sealed class OrderStatusRelay(IBus bus, MessagingTables tables, IServiceProvider provider) : SubscriptionBase
{
    public const string SubscriptionName = "OrderStatusRelay";

    public override async Task<IChangeListener> ProcessEventsAsync(EventRange page, ISubscriptionController controller, IDocumentOperations operations,
        CancellationToken cancellationToken)
    {
        var outbox = new OperationsOutbox(bus, operations, tables, provider);
        foreach (var stream in page.Events.GroupBy(e => e.StreamId))
        {
            var first = stream.Min(e => e.Version);
            var previous = first > 1
                ? (await operations.Events.AggregateStreamAsync<OrderDetails>(stream.Key, first - 1, token: cancellationToken))?.Status
                : null;
            foreach (var e in stream.OrderBy(e => e.Version))
            {
                var order = await operations.Events.AggregateStreamAsync<OrderDetails>(stream.Key, e.Version, token: cancellationToken);
                if (order is null || order.Status == previous)
                    continue;
                await outbox.Publish(new OrderStatusChanged(order.Id, order.CustomerId, order.Status, previous, e.Version, e.Timestamp),
                    MessageIdFor(stream.Key, e.Version), cancellationToken);
                previous = order.Status;
            }
        }
        return NullChangeListener.Instance;
    }

    /// <summary>A name-based (RFC 4122 version 5 style) id: the same order and version always give the same message id.</summary>
    public static Guid MessageIdFor(Guid orderId, long version)
    {
        var hash = SHA1.HashData(Encoding.UTF8.GetBytes($"order-status:{orderId:N}:{version}"));
        var bytes = hash.AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x50);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }
}
