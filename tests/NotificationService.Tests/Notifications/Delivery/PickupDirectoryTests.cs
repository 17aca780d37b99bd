using MimeKit;
using Shop.Contracts.Orders;
using Shop.NotificationService.Tests.Support;
using Xunit;

namespace Shop.NotificationService.Tests.Notifications.Delivery;

/// <summary>With no SMTP server configured, email is written as .eml files, still once per event.</summary>
[Collection(PickupDirectoryCollection.Name)]
public sealed class PickupDirectoryTests(PickupDirectoryFixture fixture)
{
    [Fact]
    public async Task Without_smtp_each_email_is_written_once_as_an_eml_file()
    {
        var orderId = Guid.NewGuid();
        var order = SampleOrders.Summary(Guid.NewGuid());
        var failed = new OrderFailed(orderId, order, "OutOfStock", null, DateTimeOffset.UtcNow);
        await fixture.PublishAsync(failed);
        await fixture.PublishAsync(failed); // published again under a new message id

        await Eventually.Get(() => Task.FromResult(fixture.CustomerNotifiedCount(orderId, nameof(OrderFailed), "email")), n => n >= 1,
            "CustomerNotified", diagnostics: () => fixture.Logs());
        await Eventually.Get(() => fixture.VirtualHost.MessagesOrNone(Queues.Notifications), n => n == 0, "both copies to be consumed");
        await Task.Delay(TimeSpan.FromSeconds(2));

        var files = Directory.GetFiles(fixture.PickupDirectory).Where(f => Path.GetFileName(f).StartsWith($"{orderId:N}")).ToList();
        var file = Assert.Single(files);
        Assert.EndsWith(".eml", file);
        var message = await MimeMessage.LoadAsync(file);
        Assert.Equal($"Order {SampleOrders.Number(orderId)} could not be completed", message.Subject);
        Assert.Equal(order.CustomerEmail, Assert.Single(message.To.Mailboxes).Address);
        Assert.Equal("no-reply@shop.local", Assert.Single(message.From.Mailboxes).Address);
        Assert.Contains("Reason:       some items are out of stock", message.TextBody);
        Assert.Contains("Total: 37.75 EUR", message.TextBody);
        Assert.Contains("<td>some items are out of stock</td>", message.HtmlBody);
        Assert.Equal(1, fixture.CustomerNotifiedCount(orderId, nameof(OrderFailed), "email"));
        Assert.Contains("email is written as .eml files", fixture.Services[0].ReadLog());
    }
}
