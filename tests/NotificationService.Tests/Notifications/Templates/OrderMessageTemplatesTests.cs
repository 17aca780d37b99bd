using Shop.Contracts.Orders;
using Shop.NotificationService.Notifications.Templates;
using Shop.NotificationService.Tests.Support;
using Xunit;

namespace Shop.NotificationService.Tests.Notifications.Templates;

public sealed class OrderMessageTemplatesTests
{
    static readonly OrderSummary Order = SampleOrders.Summary(Guid.NewGuid(), "Grace \"Admiral\" Hopper");

    [Fact]
    public void A_refund_names_the_amount_refunded_in_every_format()
    {
        var orderId = Guid.NewGuid();
        var message = OrderMessageTemplates.Render(OrderNotice.From(new OrderRefunded(orderId, Order, 12.75m, DateTimeOffset.UtcNow)));

        Assert.Equal($"Refund for order {SampleOrders.Number(orderId)}", message.Subject);
        Assert.Contains("We have refunded 12.75 EUR for your order.", message.Text);
        Assert.Contains("Refunded:     12.75 EUR", message.Text);
        Assert.Contains("Total: 37.75 EUR", message.Text);
        Assert.Contains($"Order reference: {orderId}", message.Text);
        Assert.Contains("<td>12.75 EUR</td>", message.Html);
        Assert.Contains("Hello Grace &quot;Admiral&quot; Hopper,", message.Html);
        Assert.Equal($"Shop: we refunded 12.75 EUR for order {SampleOrders.Number(orderId)}.", message.Sms);
    }

    [Fact]
    public void A_shipment_names_its_tracking_reference_encoded_and_reads_well_without_one()
    {
        var orderId = Guid.NewGuid();
        var message = OrderMessageTemplates.Render(OrderNotice.From(new OrderShipped(orderId, Order, "DHL <42>", DateTimeOffset.UtcNow)));

        Assert.Equal($"Order {SampleOrders.Number(orderId)} shipped", message.Subject);
        Assert.Contains("Your order is on its way. Tracking reference: DHL <42>.", message.Text);
        Assert.Contains("Tracking reference: DHL &lt;42&gt;.", message.Html);
        Assert.Contains("Status:       Shipped", message.Text);
        Assert.Equal($"Shop: your order {SampleOrders.Number(orderId)} has shipped.", message.Sms);

        var untracked = OrderMessageTemplates.Render(OrderNotice.From(new OrderShipped(orderId, Order, null, DateTimeOffset.UtcNow)));
        Assert.Contains("Your order is on its way.\n", untracked.Text.ReplaceLineEndings("\n"));
        Assert.DoesNotContain("Tracking", untracked.Text);
    }

    [Fact]
    public void Unknown_failure_reasons_are_shown_as_they_are_and_known_ones_as_a_sentence()
    {
        var unknown = OrderMessageTemplates.Render(OrderNotice.From(new OrderFailed(Guid.NewGuid(), Order, "FraudSuspected", null, DateTimeOffset.UtcNow)));
        Assert.Contains("Reason:       FraudSuspected", unknown.Text);

        var timeout = OrderMessageTemplates.Render(OrderNotice.From(new OrderFailed(Guid.NewGuid(), Order, "PaymentTimeout", "PaymentTimeout", DateTimeOffset.UtcNow)));
        Assert.Contains("Reason:       the payment was not confirmed in time\n", timeout.Text.ReplaceLineEndings("\n"));
        Assert.Contains("(the payment was not confirmed in time)", timeout.Sms);
    }

    [Fact]
    public void Sms_texts_fit_in_one_message()
    {
        var now = DateTimeOffset.UtcNow;
        OrderNotice[] notices =
        [
            OrderNotice.From(new OrderConfirmed(Guid.NewGuid(), Order, now)),
            OrderNotice.From(new OrderFailed(Guid.NewGuid(), Order, "StockCommitFailed", "warehouse offline", now)),
            OrderNotice.From(new OrderCancelled(Guid.NewGuid(), Order, "Changed my mind", now)),
            OrderNotice.From(new OrderRefunded(Guid.NewGuid(), Order, 37.75m, now)),
            OrderNotice.From(new OrderShipped(Guid.NewGuid(), Order, "1Z999AA10123456784", now)),
        ];
        Assert.All(notices, notice => Assert.InRange(OrderMessageTemplates.Render(notice).Sms.Length, 20, 160));
    }

    [Fact]
    public void Orders_placed_in_the_same_moment_get_different_order_numbers()
    {
        // Order ids are version-7 GUIDs: their leading digits are a timestamp.
        var numbers = Enumerable.Range(0, 50).Select(_ => OrderNotice.From(new OrderConfirmed(Guid.CreateVersion7(), Order, DateTimeOffset.UtcNow)).OrderNumber);
        Assert.Equal(50, numbers.Distinct().Count());
    }
}
