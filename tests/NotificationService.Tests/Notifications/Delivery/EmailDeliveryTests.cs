using Shop.Testing;
using MassTransit;
using Shop.Contracts.Orders;
using Shop.NotificationService.Notifications.Listing;
using Shop.NotificationService.Tests.Support;
using Xunit;

namespace Shop.NotificationService.Tests.Notifications.Delivery;

/// <summary>Order events in, real email out through a real SMTP server (maildev), exactly once, with two service instances.</summary>
[Collection(MailCollection.Name)]
public sealed class EmailDeliveryTests(MailFixture fixture)
{
    const string Email = "email";
    const string Sms = "sms";

    [Fact]
    public async Task Each_order_event_sends_exactly_one_email_with_its_content()
    {
        var customerId = Guid.NewGuid();
        var order = SampleOrders.Summary(customerId, "Ada <Shopper> & Co");
        var (paid, declined, cancelled) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var now = DateTimeOffset.UtcNow;

        await fixture.PublishAsync(new OrderConfirmed(paid, order, now));
        await fixture.PublishAsync(new OrderFailed(declined, order, "PaymentDeclined", "card_declined", now));
        await fixture.PublishAsync(new OrderCancelled(cancelled, order, "Changed my mind", now));
        await fixture.PublishAsync(new OrderRefunded(paid, order, 37.75m, now));

        (Guid OrderId, string Kind)[] events =
            [(paid, nameof(OrderConfirmed)), (declined, nameof(OrderFailed)), (cancelled, nameof(OrderCancelled)), (paid, nameof(OrderRefunded))];
        await WaitForCustomerNotified(events, Email, Sms);

        var emails = (await fixture.MailDev.EmailsAsync()).Where(e => e.To.Any(to => to.Email == order.CustomerEmail)).ToList();
        Assert.Equal(4, emails.Count);
        var confirmed = Single(emails, paid, nameof(OrderConfirmed));
        var failed = Single(emails, declined, nameof(OrderFailed));
        var cancellation = Single(emails, cancelled, nameof(OrderCancelled));
        var refund = Single(emails, paid, nameof(OrderRefunded));

        var number = SampleOrders.Number(paid);
        Assert.Equal($"Order {number} confirmed", confirmed.Subject);
        Assert.Equal(order.CustomerEmail, Assert.Single(confirmed.To).Email);
        Assert.Equal($"<{paid:N}.OrderConfirmed.email@shop.local>", confirmed.Header("Message-ID"));
        Assert.Contains("Hello Ada <Shopper> & Co,", confirmed.Text);
        Assert.Contains($"Order number: {number}", confirmed.Text);
        Assert.Contains("Status:       Confirmed", confirmed.Text);
        Assert.Contains("2 x Blue Mug (MUG-1) @ 12.50 = 25.00 EUR", confirmed.Text);
        Assert.Contains("3 x Green Tea (TEA-7) @ 4.25 = 12.75 EUR", confirmed.Text);
        Assert.Contains("Total: 37.75 EUR", confirmed.Text);
        Assert.NotNull(confirmed.Html);
        Assert.Contains("Hello Ada &lt;Shopper&gt; &amp; Co,", confirmed.Html);
        Assert.DoesNotContain("<Shopper>", confirmed.Html);
        Assert.Contains("<td>Blue Mug</td><td>MUG-1</td><td align=\"right\">2</td><td align=\"right\">12.50</td><td align=\"right\">25.00 EUR</td>", confirmed.Html);
        Assert.Contains("<strong>37.75 EUR</strong>", confirmed.Html);
        Assert.Contains($"<td>{number}</td>", confirmed.Html);
        Assert.Contains("<td>Confirmed</td>", confirmed.Html);

        Assert.Equal($"Order {SampleOrders.Number(declined)} could not be completed", failed.Subject);
        Assert.Contains("Status:       Failed", failed.Text);
        Assert.Contains("Reason:       the payment was declined (card_declined)", failed.Text);
        Assert.Contains("Total: 37.75 EUR", failed.Text);
        Assert.Contains("<td>the payment was declined (card_declined)</td>", failed.Html);

        Assert.Equal($"Order {SampleOrders.Number(cancelled)} cancelled", cancellation.Subject);
        Assert.Contains("Status:       Cancelled", cancellation.Text);
        Assert.Contains("Reason:       Changed my mind", cancellation.Text);

        Assert.Equal($"Refund for order {number}", refund.Subject);
        Assert.Contains("Status:       Refunded", refund.Text);
        Assert.Contains("Refunded:     37.75 EUR", refund.Text);
        Assert.Contains("<td>Refunded</td>", refund.Html);

        // The delivery log, as the customer sees it: eight notifications (four events, two channels), all sent.
        var mine = await fixture.MineAsync(customerId);
        Assert.Equal(8, mine.Count);
        Assert.All(mine, n => Assert.Equal("Sent", n.Status));
        Assert.Equal(4, mine.Count(n => n.Channel == Sms));
        Assert.Empty(await fixture.MineAsync(Guid.NewGuid()));

        // SMS went out through the same seam, to the log sender.
        var logs = string.Concat(fixture.Services.Select(s => s.ReadLog()));
        Assert.Contains($"SMS to customer:{customerId}: Shop: your order {number} is confirmed. Total 37.75 EUR.", logs);
    }

    [Fact]
    public async Task A_redelivered_event_sends_no_second_email()
    {
        var orderId = Guid.NewGuid();
        var confirmed = new OrderConfirmed(orderId, SampleOrders.Summary(Guid.NewGuid()), DateTimeOffset.UtcNow);
        var messageId = NewId.NextGuid();

        // The same message delivered twice (the inbox's case), and the same event published again under a new message id
        // (the natural key's case); the two instances may take them at the same time.
        await fixture.PublishAsync(confirmed, messageId);
        await fixture.PublishAsync(confirmed, messageId);
        await fixture.PublishAsync(confirmed, NewId.NextGuid());

        await WaitForCustomerNotified([(orderId, nameof(OrderConfirmed))], Email, Sms);
        await Eventually.Get(() => fixture.VirtualHost.MessagesOrNone(Queues.Notifications), count => count == 0, "every copy to be consumed");
        await Task.Delay(TimeSpan.FromSeconds(3)); // several dispatcher polls: a second email would have been sent by now

        Assert.Single(await fixture.MailDev.EmailsForOrderAsync(orderId));
        Assert.Equal(1, fixture.CustomerNotifiedCount(orderId, nameof(OrderConfirmed), Email));
        Assert.Equal(1, fixture.CustomerNotifiedCount(orderId, nameof(OrderConfirmed), Sms));
        var log = await fixture.NotificationsOfOrderAsync(orderId);
        Assert.Equal(2, log.Count);
        Assert.All(log, n => Assert.Equal(("Sent", 1), (n.Status, n.Attempts)));
        Assert.Equal(0, await fixture.VirtualHost.MessagesOrNone(Queues.NotificationErrors));
    }

    [Fact]
    public async Task Smtp_down_is_retried_with_backoff_and_the_email_is_delivered_once_it_is_back()
    {
        var orderId = Guid.NewGuid();
        fixture.MailDev.Stop();
        try
        {
            await fixture.PublishAsync(new OrderConfirmed(orderId, SampleOrders.Summary(Guid.NewGuid()), DateTimeOffset.UtcNow));

            var waiting = (await Eventually.Get(() => EmailNotificationOrNull(orderId),
                n => n is { Status: "Pending", Attempts: >= 3 }, "three failed attempts while SMTP is down", diagnostics: () => fixture.Logs()))!;
            Assert.NotNull(waiting.LastError);
            Assert.NotNull(waiting.NextAttemptAt);
            // Backed off: the first retries wait 0.3 s and 0.6 s (±20%).
            Assert.True(waiting.LastAttemptAt - waiting.CreatedAt >= TimeSpan.FromSeconds(0.7),
                $"attempts were not spaced out: {waiting.CreatedAt:O} .. {waiting.LastAttemptAt:O}");
            // The order event itself was consumed and committed: it is neither waiting in MassTransit's retries nor parked
            // in the error queue while SMTP is down, and the saga has not been told anything yet.
            Assert.Equal(0, await fixture.VirtualHost.MessagesOrNone(Queues.Notifications));
            Assert.Equal(0, await fixture.VirtualHost.MessagesOrNone(Queues.NotificationErrors));
            Assert.Equal(0, fixture.CustomerNotifiedCount(orderId, nameof(OrderConfirmed), Email));
            // The other channel does not wait for email.
            await WaitForCustomerNotified([(orderId, nameof(OrderConfirmed))], Sms);
        }
        finally
        {
            if (!fixture.MailDev.IsRunning)
                await fixture.MailDev.StartAsync();
        }

        await WaitForCustomerNotified([(orderId, nameof(OrderConfirmed))], Email);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var email = Assert.Single(await fixture.MailDev.EmailsForOrderAsync(orderId));
        Assert.Equal($"Order {SampleOrders.Number(orderId)} confirmed", email.Subject);
        Assert.Equal(1, fixture.CustomerNotifiedCount(orderId, nameof(OrderConfirmed), Email));
        var sent = await EmailNotification(orderId);
        Assert.Equal("Sent", sent.Status);
        Assert.True(sent.Attempts >= 4, $"sent after {sent.Attempts} attempts");
    }

    [Fact]
    public async Task Two_instances_send_each_email_exactly_once()
    {
        var orders = Enumerable.Range(0, 20).Select(_ => Guid.NewGuid()).ToList();
        await Task.WhenAll(orders.Select(id => fixture.PublishAsync(new OrderConfirmed(id, SampleOrders.Summary(Guid.NewGuid()), DateTimeOffset.UtcNow))));

        await WaitForCustomerNotified(orders.Select(id => (id, nameof(OrderConfirmed))).ToArray(), Email);
        await Task.Delay(TimeSpan.FromSeconds(2));

        var emails = await fixture.MailDev.EmailsAsync();
        foreach (var orderId in orders)
        {
            Assert.Single(emails, e => e.Header("X-Shop-Order-Id") == orderId.ToString());
            Assert.Equal(1, fixture.CustomerNotifiedCount(orderId, nameof(OrderConfirmed), Email));
            // One claimed attempt each: no instance ever attempted a notification another one held.
            Assert.Equal(1, (await EmailNotification(orderId)).Attempts);
        }
    }

    async Task<AdminNotificationResponse> EmailNotification(Guid orderId) =>
        (await EmailNotificationOrNull(orderId)) ?? throw new InvalidOperationException($"No email notification for order {orderId}");

    async Task<AdminNotificationResponse?> EmailNotificationOrNull(Guid orderId) =>
        (await fixture.NotificationsOfOrderAsync(orderId)).SingleOrDefault(n => n.Channel == Email);

    static ReceivedEmail Single(IEnumerable<ReceivedEmail> emails, Guid orderId, string kind) =>
        Assert.Single(emails, e => e.Header("X-Shop-Order-Id") == orderId.ToString() && e.Header("X-Shop-Notification") == kind);

    Task WaitForCustomerNotified((Guid OrderId, string Kind)[] events, params string[] channels) =>
        Eventually.Get(
            () => Task.FromResult(events.All(e => channels.All(c => fixture.CustomerNotifiedCount(e.OrderId, e.Kind, c) >= 1))),
            done => done, $"CustomerNotified for {events.Length} event(s) on {string.Join(", ", channels)}", diagnostics: () => fixture.Logs());
}
