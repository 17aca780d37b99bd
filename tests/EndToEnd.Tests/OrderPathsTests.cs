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
    public async Task Cancelling_a_completed_order_before_it_ships_refunds_it_and_restocks_its_units()
    {
        using var admin = await _cluster.AdminApi();
        using var shopper = _cluster.Api();
        await shopper.SignUpCustomer();
        var product = (await shopper.Products("?search=sticker")).Items.First();
        await shopper.AddToCart(product.Id, 2);
        var before = await admin.GetStock(product.Id);
        var orderId = await shopper.Checkout("pm_card_visa");
        Assert.Equal("Completed", (await shopper.WaitForOrder(orderId, SagaTimeout, Terminal)).Status);

        using (var cancel = await shopper.Cancel(orderId))
            Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        var refunded = await shopper.WaitForOrder(orderId, SagaTimeout, "Refunded");

        Assert.Contains(refunded.Timeline, t => t.Status == "RefundRequested");
        var payment = (await shopper.Get<ShopApi.Payment>($"api/payments/{orderId}"))!;
        Assert.Equal(payment.Amount, payment.Refunded);
        await WaitForRestock(shopper, orderId);
        var after = await admin.GetStock(product.Id);
        Assert.Equal((before.OnHand, before.Sold), (after.OnHand, after.Sold));
        using var again = await shopper.Cancel(orderId);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task A_shipped_order_is_returned_then_refunded_and_restocked_only_after_the_goods_arrive()
    {
        using var admin = await _cluster.AdminApi();
        using var shopper = _cluster.Api();
        await shopper.SignUpCustomer();
        var product = (await shopper.Products("?search=mug")).Items.First();
        await shopper.AddToCart(product.Id, 3);
        var before = await admin.GetStock(product.Id);
        var orderId = await shopper.Checkout("pm_card_visa");
        var completed = await shopper.WaitForOrder(orderId, SagaTimeout, Terminal);
        Assert.Equal("Completed", completed.Status);
        Assert.False(completed.CanShip);
        Assert.True((await admin.GetOrder(orderId))!.CanShip);

        using (var notAdmin = await shopper.Ship(orderId))
            Assert.Equal(HttpStatusCode.Forbidden, notAdmin.StatusCode);
        using (var early = await shopper.RequestReturn(orderId, "Too small"))
            Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        using (var ship = await admin.Ship(orderId, "TRACK-E2E-1"))
            Assert.Equal(HttpStatusCode.Accepted, ship.StatusCode);
        var shipped = await shopper.WaitForOrder(orderId, SagaTimeout, "Shipped");
        Assert.Equal((false, true), (shipped.CanCancel, shipped.CanRequestReturn));
        Assert.Equal((before.OnHand - 3, before.Sold + 3), ((await admin.GetStock(product.Id)).OnHand, (await admin.GetStock(product.Id)).Sold));

        // Shipped: a cancel would be a free refund with the goods kept.
        using (var cancel = await shopper.Cancel(orderId))
            Assert.Equal(HttpStatusCode.Conflict, cancel.StatusCode);

        using (var request = await shopper.RequestReturn(orderId, "Too small"))
            Assert.Equal(HttpStatusCode.Accepted, request.StatusCode);
        await shopper.WaitForOrder(orderId, SagaTimeout, "ReturnRequested");
        Assert.Equal(0m, (await shopper.Get<ShopApi.Payment>($"api/payments/{orderId}"))!.Refunded);
        using (var byCustomer = await shopper.RecordReturnReceived(orderId))
            Assert.Equal(HttpStatusCode.Forbidden, byCustomer.StatusCode);

        using (var received = await admin.RecordReturnReceived(orderId))
            Assert.Equal(HttpStatusCode.Accepted, received.StatusCode);
        var refunded = await shopper.WaitForOrder(orderId, SagaTimeout, "Refunded");
        Assert.Equal(["Shipped", "ReturnRequested", "ReturnReceived", "RefundRequested", "Refunded"],
            refunded.Timeline.Select(t => t.Status).SkipWhile(s => s != "Shipped").Where(s => s is not ("CustomerNotified" or "Restocked")));
        var payment = (await shopper.Get<ShopApi.Payment>($"api/payments/{orderId}"))!;
        Assert.Equal(payment.Amount, payment.Refunded);
        await WaitForRestock(shopper, orderId);
        var after = await admin.GetStock(product.Id);
        Assert.Equal((before.OnHand, before.Sold), (after.OnHand, after.Sold));

        using var twice = await admin.RecordReturnReceived(orderId);
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
    }

    static async Task WaitForRestock(ShopApi shopper, Guid orderId) =>
        Assert.True(await Poll.Until(async () => (await shopper.GetOrder(orderId))!.Timeline.Any(t => t.Status == "Restocked"), SagaTimeout),
            "the order's units were not restocked");

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
