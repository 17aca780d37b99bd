using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using MassTransit;
using Shop.Contracts.Orders;
using Shop.Messaging;
using Shop.Messaging.Outbox;
using Shop.OrderSaga.Orders.Projections;

namespace Shop.OrderSaga.Orders.PublishingStatus;

/// <summary>
/// A Marten event subscription over the order streams that publishes the status changes of each page of events it
/// reads as one <see cref="OrderStatusesChanged"/> (every event that moves an order to another status, by
/// <see cref="Order.After"/>). The message goes into the outbox through the daemon's own unit of work, so it
/// commits atomically with the subscription's checkpoint and reaches RabbitMQ through the outbox relay.
/// <para>
/// Cost per page, not per change: the statuses follow from the events themselves; the only reads are the customers
/// of orders placed before the page (one query) and, rarely, the status before a refund that starts a page.
/// </para>
/// </summary>
public sealed class OrderStatusRelay(IBus bus, MessagingTables tables, IServiceProvider provider) : SubscriptionBase
{
    public const string SubscriptionName = "OrderStatusRelay";

    public override async Task<IChangeListener> ProcessEventsAsync(EventRange page, ISubscriptionController controller, IDocumentOperations operations,
        CancellationToken cancellationToken)
    {
        var changes = new List<OrderStatusChanged>();
        var streams = page.Events.GroupBy(e => e.StreamId).ToList();
        var customers = await CustomersOf(streams.Select(s => s.Key).ToList(), page.Events, operations, cancellationToken);
        foreach (var stream in streams)
        {
            Order? order = null;
            foreach (var e in stream.OrderBy(e => e.Version))
            {
                // A page that starts mid-stream knows no status until a status event; an event whose outcome depends on
                // the status before it (a refund) reads the order's history up to it then, not only as the page's first.
                if (order is not { Status: not "" } && e.Version > 1 && Order.DependsOnHistory(e.Data))
                    order = (await operations.Events.AggregateStreamAsync<OrderDetails>(stream.Key, e.Version - 1, token: cancellationToken))?.State;
                order ??= Order.Unknown(stream.Key);
                var next = Order.After(order, e.Data);
                var moved = next.Status != order.Status;
                order = next;
                if (moved && customers.TryGetValue(stream.Key, out var customerId))
                    changes.Add(new OrderStatusChanged(stream.Key, customerId, next.Status, e.Version, e.Timestamp));
            }
        }

        if (changes.Count > 0)
            await new OperationsOutbox(bus, operations, tables, provider)
                .Publish(new OrderStatusesChanged(changes), MessageIdFor(changes), cancellationToken);
        return NullChangeListener.Instance;
    }

    /// <summary>Each order's customer, from its OrderPlaced: in the page, or read once for all orders placed before it.</summary>
    static async Task<Dictionary<Guid, Guid>> CustomersOf(List<Guid> orders, IReadOnlyList<IEvent> events, IDocumentOperations operations,
        CancellationToken cancellationToken)
    {
        var customers = events.Select(e => e.Data).OfType<OrderPlaced>().ToDictionary(p => p.OrderId, p => p.CustomerId);
        var missing = orders.Where(id => !customers.ContainsKey(id)).ToList();
        if (missing.Count > 0)
        {
            // OrderPlaced opens every order stream: version 1 of the missing streams, found through the (stream, version)
            // index. A filter on the event's JSON (its OrderId) scanned the whole event table on every page.
            var first = await operations.Events.QueryAllRawEvents().Where(e => e.Version == 1 && missing.Contains(e.StreamId))
                .ToListAsync(cancellationToken);
            foreach (var placed in first.Select(e => e.Data).OfType<OrderPlaced>())
                customers[placed.OrderId] = placed.CustomerId;
        }
        return customers;
    }

    /// <summary>The same changes always give the same message id (a page read again is recognised by inboxes).</summary>
    public static Guid MessageIdFor(IEnumerable<OrderStatusChanged> changes) =>
        NameBasedId.For($"order-statuses:{string.Join(";", changes.Select(c => $"{c.OrderId:N}:{c.Version}"))}");
}
