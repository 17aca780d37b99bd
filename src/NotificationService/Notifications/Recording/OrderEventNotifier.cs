using Marten;
using MassTransit;
using Shop.BuildingBlocks.Operations;
using Shop.Contracts.Orders;
using Shop.NotificationService.Notifications.Templates;

namespace Shop.NotificationService.Notifications.Recording;

/// <summary>
/// Records what to tell the customer about an order event, once per (order, kind, channel), as Pending notifications.
/// Nothing is sent here: sending happens after this transaction commits, in the dispatcher, so an SMTP outage neither
/// holds the event in MassTransit's short in-place retries nor pushes it to the error queue. The inbox drops a
/// redelivered event; the natural key drops a re-published copy (a new message id). A copy racing on another instance
/// fails its insert on the same key, is retried, and then finds the record.
/// </summary>
public sealed class OrderEventNotifier(IDocumentSession session, NotificationChannels channels, ILogger<OrderEventNotifier> logger) :
    IConsumer<OrderConfirmed>, IConsumer<OrderFailed>, IConsumer<OrderCancelled>, IConsumer<OrderShipped>,
    IConsumer<OrderRefunded>
{
    public Task Consume(ConsumeContext<OrderConfirmed> context) => Record(OrderNotice.From(context.Message), context);

    public Task Consume(ConsumeContext<OrderFailed> context) => Record(OrderNotice.From(context.Message), context);

    public Task Consume(ConsumeContext<OrderCancelled> context) => Record(OrderNotice.From(context.Message), context);

    public Task Consume(ConsumeContext<OrderShipped> context) => Record(OrderNotice.From(context.Message), context);

    public Task Consume(ConsumeContext<OrderRefunded> context) => Record(OrderNotice.From(context.Message), context);

    async Task Record(OrderNotice notice, ConsumeContext context)
    {
        var cancellationToken = context.CancellationToken;
        // Whoever caused the order event (the customer, carried from the checkout) also causes what the dispatcher
        // publishes later, outside this message's context.
        var (actingUserId, actingUser) = ActingUser.From(context.Headers);
        var message = OrderMessageTemplates.Render(notice);
        var now = DateTimeOffset.UtcNow;
        foreach (var channel in channels.Enabled)
        {
            var id = Notification.IdFor(notice.OrderId, notice.Kind, channel);
            if (await session.LoadAsync<Notification>(id, cancellationToken) is { } existing)
            {
                logger.LogInformation("{Kind} of order {OrderId} was already recorded for {Channel} ({Status}); nothing to add",
                    notice.Kind, notice.OrderId, channel, existing.Status);
                continue;
            }

            var order = notice.Order;
            session.Insert(new Notification
            {
                Id = id,
                OrderId = notice.OrderId,
                CustomerId = order.CustomerId,
                Kind = notice.Kind,
                Channel = channel,
                Recipient = channel == NotificationChannels.Email ? order.CustomerEmail : $"customer:{order.CustomerId}",
                RecipientName = order.CustomerName,
                Subject = message.Subject,
                Body = channel == NotificationChannels.Email ? message.Text : message.Sms,
                HtmlBody = channel == NotificationChannels.Email ? message.Html : null,
                Status = NotificationStatus.Pending,
                CreatedAt = now,
                NextAttemptAt = now,
                ActingUserId = actingUserId,
                ActingUser = actingUser,
            });
        }
    }
}
