using System.Net;
using System.Net.Http.Json;
using Shop.Testing;
using Xunit;

namespace Shop.EndToEnd.Tests;

/// <summary>The walking skeleton: orders through every service over real RabbitMQ and PostgreSQL, via the gateway only.</summary>
[Collection(ClusterCollection.Name)]
public sealed class CheckoutThroughGatewayTests(ClusterFixture fixture)
{
    static readonly TimeSpan SagaTimeout = TimeSpan.FromSeconds(60);
    readonly ShopCluster _cluster = fixture.Cluster;

    [Fact]
    public async Task A_paid_order_completes_and_a_declined_order_fails_with_its_stock_back()
    {
        using var shopper = _cluster.Api();
        await shopper.SignUpCustomer("Ada Shopper");

        var catalog = await WaitForCatalog(shopper);
        Assert.True(catalog.Total >= 12, $"demo catalog has {catalog.Total} products");
        var (first, second) = (catalog.Items[0], catalog.Items[1]);

        await shopper.AddToCart(first.Id, 2);
        var cart = await shopper.AddToCart(second.Id, 1);
        Assert.Equal(2, cart.Items.Count);
        Assert.Equal(first.Price * 2 + second.Price, cart.Total);

        var paidOrder = await shopper.Checkout("pm_card_visa");
        var completed = await shopper.WaitForOrder(paidOrder, SagaTimeout, "Completed", "Failed", "Cancelled");
        Assert.True(completed.Status == "Completed", $"paid order ended {completed.Status} ({completed.FailureReason})\n{_cluster.Logs()}");
        Assert.Equal(["Placed", "StockReserved", "PaymentCaptured", "Confirmed", "Completed"],
            completed.Timeline.Select(t => t.Status).Where(s => s != "CustomerNotified"));
        Assert.Equal(first.Price * 2 + second.Price, completed.Total);
        Assert.Empty((await shopper.GetCart()).Items);

        // Second order: declined, and the reservation it made is released again.
        var before = (await shopper.Products()).Items.Single(p => p.Id == first.Id).Available;
        await shopper.AddToCart(first.Id, 3);
        var declinedOrder = await shopper.Checkout("pm_card_chargeDeclined");
        var failed = await shopper.WaitForOrder(declinedOrder, SagaTimeout, "Completed", "Failed", "Cancelled");
        Assert.Equal("Failed", failed.Status);
        Assert.Equal("PaymentDeclined", failed.FailureReason);
        Assert.Contains(failed.Timeline, t => t.Status == "StockReserved");

        var after = await WaitForAvailable(shopper, first.Id, before);
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task Requests_without_a_valid_token_are_refused_and_orders_stay_private()
    {
        using var anonymous = _cluster.Api();
        using (var response = await anonymous.Http.GetAsync("api/cart"))
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);

        using var owner = _cluster.Api();
        await owner.SignUpCustomer();
        var product = (await WaitForCatalog(owner)).Items[0];
        await owner.AddToCart(product.Id, 1);
        var orderId = await owner.Checkout("pm_card_visa");

        // The order becomes visible once the saga has placed it (checkout answers 202 before that).
        await owner.WaitForOrder(orderId, SagaTimeout, "Placed", "StockReserved", "PaymentCaptured", "Confirmed", "Completed");

        using var stranger = _cluster.Api();
        await stranger.SignUpCustomer();
        using (var response = await stranger.Http.GetAsync($"api/orders/{orderId}"))
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using (var response = await stranger.Http.GetAsync($"api/payments/{orderId}"))
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Invalid_input_gets_a_problem_details_answer()
    {
        using var shopper = _cluster.Api();
        await shopper.SignUpCustomer();

        using var badQuantity = await shopper.Http.PostAsJsonAsync("api/cart/items", new { productId = Guid.NewGuid(), quantity = 0 });
        Assert.Equal(HttpStatusCode.BadRequest, badQuantity.StatusCode);
        Assert.Equal("application/problem+json", badQuantity.Content.Headers.ContentType?.MediaType);

        using var unknownProduct = await shopper.Http.PostAsJsonAsync("api/cart/items", new { productId = Guid.NewGuid(), quantity = 1 });
        Assert.Equal(HttpStatusCode.NotFound, unknownProduct.StatusCode);

        using var emptyCheckout = await shopper.Http.PostAsJsonAsync("api/cart/checkout", new { paymentMethod = "pm_card_visa" });
        Assert.Equal(HttpStatusCode.Conflict, emptyCheckout.StatusCode);

        using var malformed = await shopper.Http.PostAsync("api/cart/items", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
    }

    static async Task<ShopApi.ProductPage> WaitForCatalog(ShopApi api)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var page = await api.Products("?pageSize=50&sort=price");
            if (page.Total >= 12)
                return page;
            await Task.Delay(200);
        }
        return await api.Products("?pageSize=50&sort=price");
    }

    static async Task<int> WaitForAvailable(ShopApi api, Guid productId, int expected)
    {
        var available = -1;
        for (var attempt = 0; attempt < 100; attempt++)
        {
            available = (await api.Get<ShopApi.Product>($"api/products/{productId}"))!.Available;
            if (available == expected)
                break;
            await Task.Delay(100);
        }
        return available;
    }
}
