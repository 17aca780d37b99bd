using System.Net;
using Shop.Testing;
using Xunit;

namespace Shop.EndToEnd.Tests;

/// <summary>The other endings of a checkout, seen the way the customer sees them: GET /api/orders/{id}.</summary>
[Collection(ClusterCollection.Name)]
public sealed class OrderPathsTests(ClusterFixture fixture)
{
    static readonly TimeSpan SagaTimeout = TimeSpan.FromSeconds(60);
    static readonly string[] Terminal = ["Completed", "Failed", "Cancelled", "Refunded"];
    readonly ShopCluster _cluster = fixture.Cluster;

    [Fact]
    public async Task Ordering_more_than_is_in_stock_fails_the_order_as_out_of_stock()
    {
        using var shopper = _cluster.Api();
        await shopper.SignUpCustomer();
        var scarce = (await shopper.Products("?search=desk%20lamp")).Items.Single();
        await shopper.AddToCart(scarce.Id, scarce.Available + 1);

        var orderId = await shopper.Checkout("pm_card_visa");
        var order = await shopper.WaitForOrder(orderId, SagaTimeout, Terminal);

        Assert.Equal("Failed", order.Status);
        Assert.Equal("OutOfStock", order.FailureReason);
        Assert.Equal(["Placed", "Failed"], order.Timeline.Select(t => t.Status).Where(s => s != "CustomerNotified"));
        Assert.Equal(scarce.Available, (await shopper.Get<ShopApi.Product>($"api/products/{scarce.Id}"))!.Available);
        using var payment = await shopper.Http.GetAsync($"api/payments/{orderId}");
        Assert.Equal(HttpStatusCode.NotFound, payment.StatusCode);
    }

    [Fact]
    public async Task Cancelling_a_completed_order_refunds_it()
    {
        using var shopper = _cluster.Api();
        await shopper.SignUpCustomer();
        var product = (await shopper.Products("?search=sticker")).Items.First();
        await shopper.AddToCart(product.Id, 2);
        var orderId = await shopper.Checkout("pm_card_visa");
        Assert.Equal("Completed", (await shopper.WaitForOrder(orderId, SagaTimeout, Terminal)).Status);

        using (var cancel = await shopper.Cancel(orderId))
            Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        var refunded = await shopper.WaitForOrder(orderId, SagaTimeout, "Refunded");

        Assert.Contains(refunded.Timeline, t => t.Status == "RefundRequested");
        var payment = (await shopper.Get<ShopApi.Payment>($"api/payments/{orderId}"))!;
        Assert.Equal(payment.Amount, payment.Refunded);
        using var again = await shopper.Cancel(orderId);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task Cancelling_someone_elses_or_an_unknown_order_is_not_found()
    {
        using var owner = _cluster.Api();
        await owner.SignUpCustomer();
        var product = (await owner.Products("?search=notebook")).Items.First();
        await owner.AddToCart(product.Id, 1);
        var orderId = await owner.Checkout("pm_card_visa");
        await owner.WaitForOrder(orderId, SagaTimeout, Terminal);

        using var stranger = _cluster.Api();
        await stranger.SignUpCustomer();
        using (var response = await stranger.Cancel(orderId))
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using (var response = await stranger.Cancel(Guid.NewGuid()))
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("Completed", (await owner.GetOrder(orderId))!.Status);
    }
}
