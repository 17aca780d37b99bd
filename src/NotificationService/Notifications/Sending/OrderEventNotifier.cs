using System.Globalization;
using System.Text;
using Marten;
using MassTransit;
using Shop.Contracts.Notifications;
using Shop.Contracts.Orders;

namespace Shop.NotificationService.Notifications.Sending;

/// <summary>Tells the customer about their order's milestones, once per order and kind.</summary>
public sealed class OrderEventNotifier(IDocumentSession session, ILogger<OrderEventNotifier> logger) :
    IConsumer<OrderConfirmed>, IConsumer<OrderFailed>, IConsumer<OrderCancelled>
{
    public const string Channel = "email";

    public Task Consume(ConsumeContext<OrderConfirmed> context) =>
        Notify(context, nameof(OrderConfirmed), context.Message.Order, $"Order {Short(context.Message.OrderId)} confirmed",
            $"Thank you! Your order is confirmed and will ship soon.");

    public Task Consume(ConsumeContext<OrderFailed> context) =>
        Notify(context, nameof(OrderFailed), context.Message.Order, $"Order {Short(context.Message.OrderId)} could not be completed",
            $"We could not complete your order ({context.Message.Reason}). You have not been charged for it.");

    public Task Consume(ConsumeContext<OrderCancelled> context) =>
        Notify(context, nameof(OrderCancelled), context.Message.Order, $"Order {Short(context.Message.OrderId)} cancelled",
            "Your order was cancelled as requested.");

    async Task Notify(ConsumeContext context, string kind, OrderSummary order, string subject, string intro)
    {
        var orderId = context.CorrelationId ?? throw new InvalidOperationException("Order events carry the order id as correlation id");
        var id = Notification.IdFor(orderId, kind, Channel);
        var existing = await session.LoadAsync<Notification>(id, context.CancellationToken);
        if (existing is { Status: NotificationStatus.Sent })
        {
            await context.Publish(new CustomerNotified(orderId, kind, Channel, existing.SentAt!.Value));
            return;
        }

        var now = DateTimeOffset.UtcNow;
        var notification = new Notification
        {
            Id = id, OrderId = orderId, CustomerId = order.CustomerId, Kind = kind, Channel = Channel, Recipient = order.CustomerEmail,
            Subject = subject, Body = Render(intro, order), Status = NotificationStatus.Sent, Attempts = 1, CreatedAt = now, SentAt = now,
        };
        logger.LogInformation("Notified {Recipient}: {Subject}", notification.Recipient, notification.Subject);
        session.Store(notification);
        await context.Publish(new CustomerNotified(orderId, kind, Channel, now));
    }

    static string Short(Guid orderId) => orderId.ToString("N")[..8].ToUpperInvariant();

    static string Render(string intro, OrderSummary order)
    {
        var text = new StringBuilder().AppendLine($"Hello {order.CustomerName},").AppendLine().AppendLine(intro).AppendLine();
        foreach (var line in order.Lines)
            text.AppendLine(CultureInfo.InvariantCulture, $"  {line.Quantity} x {line.Name} @ {line.UnitPrice:0.00} = {line.UnitPrice * line.Quantity:0.00} {order.Currency}");
        return text.AppendLine(CultureInfo.InvariantCulture, $"  Total: {order.Total:0.00} {order.Currency}").ToString();
    }
}
