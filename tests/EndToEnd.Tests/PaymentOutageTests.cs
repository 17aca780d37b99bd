using System.Net;
using Shop.Testing;
using Xunit;

namespace Shop.EndToEnd.Tests;

/// <summary>
/// PaymentService down while customers check out, on a system whose payment timeout is a few seconds: the saga's
/// durable timeout (PostgreSQL-backed, no RabbitMQ plugin) fails the waiting order and releases its stock; a cancel
/// during the wait releases too; when PaymentService comes back it charges what was queued and both captures are
/// refunded.
/// </summary>
public sealed class PaymentOutageTests : IAsyncLifetime
{
    static readonly TimeSpan PaymentTimeout = TimeSpan.FromSeconds(6);
    static readonly TimeSpan SagaTimeout = TimeSpan.FromSeconds(90);
    readonly ShopCluster _cluster = new() { Settings = { ["Checkout:PaymentTimeout"] = PaymentTimeout.ToString("c") } };

    public Task InitializeAsync() => _cluster.StartAsync("outage");
    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Unanswered_payments_time_out_or_cancel_and_late_captures_are_refunded()
    {
        using var shopper = _cluster.Api();
        await shopper.SignUpCustomer();
        var product = (await shopper.Products("?search=hoodie")).Items.Single();
        var stockBefore = product.Available;

        _cluster.Service("payments").Kill();

        await shopper.AddToCart(product.Id, 2);
        var timedOut = await shopper.Checkout("pm_card_visa");
        await shopper.AddToCart(product.Id, 1);
        var cancelled = await shopper.Checkout("pm_card_visa");

        await shopper.WaitForOrder(cancelled, SagaTimeout, "StockReserved");
        using (var cancel = await shopper.Cancel(cancelled))
            Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);

        var failed = await shopper.WaitForOrder(timedOut, SagaTimeout, "Failed", "Completed");
        Assert.Equal("Failed", failed.Status);
        Assert.Equal("PaymentTimeout", failed.FailureReason);
        Assert.Equal("Cancelled", (await shopper.WaitForOrder(cancelled, SagaTimeout, "Cancelled", "Failed", "Completed")).Status);
        Assert.Equal(stockBefore, await WaitForAvailable(shopper, product.Id, stockBefore));

        // PaymentService returns and works through the ChargePayment commands that waited in its queue.
        await _cluster.RestartAsync("payments");
        foreach (var orderId in new[] { timedOut, cancelled })
        {
            var order = await WaitForTimeline(shopper, orderId, "RefundIssued");
            Assert.Contains(order.Timeline, t => t.Status == "PaymentCapturedLate");
            var payment = (await shopper.Get<ShopApi.Payment>($"api/payments/{orderId}"))!;
            Assert.Equal("Refunded", payment.Status);
            Assert.Equal(payment.Amount, payment.Refunded);
        }
        Assert.Equal("Failed", (await shopper.GetOrder(timedOut))!.Status);
        Assert.Equal("Cancelled", (await shopper.GetOrder(cancelled))!.Status);
        Assert.Equal(stockBefore, (await shopper.Get<ShopApi.Product>($"api/products/{product.Id}"))!.Available);
    }

    static async Task<ShopApi.Order> WaitForTimeline(ShopApi api, Guid orderId, string entry)
    {
        var deadline = DateTime.UtcNow + SagaTimeout;
        ShopApi.Order? order = null;
        while (DateTime.UtcNow < deadline)
        {
            order = await api.GetOrder(orderId);
            if (order?.Timeline.Any(t => t.Status == entry) == true)
                return order;
            await Task.Delay(200);
        }
        throw new TimeoutException($"{orderId} never showed {entry}: {string.Join(" -> ", order?.Timeline.Select(t => t.Status) ?? [])}");
    }

    static async Task<int> WaitForAvailable(ShopApi api, Guid productId, int expected)
    {
        var available = -1;
        for (var attempt = 0; attempt < 100 && available != expected; attempt++)
        {
            available = (await api.Get<ShopApi.Product>($"api/products/{productId}"))!.Available;
            if (available != expected)
                await Task.Delay(100);
        }
        return available;
    }
}
