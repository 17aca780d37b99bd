using System.Net;
using System.Net.Http.Json;
using Shop.Testing;
using Xunit;

namespace Shop.Gateway.Tests.Routing;

/// <summary>Everyone stays in their own room: a customer cannot read or touch another customer's order, payment or cart.</summary>
[Collection(GatewayCollection.Name)]
public sealed class IsolationTests(GatewayFixture fixture)
{
    static readonly TimeSpan SagaTimeout = TimeSpan.FromSeconds(90);
    readonly ShopCluster _cluster = fixture.Cluster;

    record OrderListItem(Guid OrderId, string Status);
    record Payment(Guid OrderId, string Status, decimal Amount);

    [Fact]
    public async Task Customer_A_reading_Bs_order_or_payment_gets_404_and_never_sees_Bs_cart()
    {
        using var b = Visitors.New(_cluster);
        await b.Login(await Visitors.RegisterCustomer(_cluster), Visitors.Password);
        var catalog = await Visitors.WaitForCatalog(b);
        var (ordered, inCart) = (catalog.Items[0], catalog.Items[1]);
        await b.AddToCart(ordered.Id, 1);
        var orderId = await b.Checkout("pm_card_visa");
        await WaitForPayment(b, orderId);
        // B sees the order (its view is an async projection): A's 404 below is then about ownership, not timing.
        await b.WaitForOrder(orderId, TimeSpan.FromSeconds(60), "Completed", "Failed");
        var bsCart = await b.AddToCart(inCart.Id, 2);

        using var a = Visitors.New(_cluster);
        await a.Login(await Visitors.RegisterCustomer(_cluster), Visitors.Password);

        // Exactly the answer for an order that does not exist: nothing tells A that B's order is there.
        using (var order = await a.Http.GetAsync($"api/orders/{orderId}"))
            await Visitors.AssertProblem(order, HttpStatusCode.NotFound);
        using (var missing = await a.Http.GetAsync($"api/orders/{Guid.NewGuid()}"))
            await Visitors.AssertProblem(missing, HttpStatusCode.NotFound);
        using (var payment = await a.Http.GetAsync($"api/payments/{orderId}"))
            await Visitors.AssertProblem(payment, HttpStatusCode.NotFound);
        using (var cancel = await a.Http.PostAsync($"api/orders/{orderId}/cancel", null))
            await Visitors.AssertProblem(cancel, HttpStatusCode.NotFound);
        Assert.Empty((await a.Get<List<OrderListItem>>("api/orders"))!);

        // The cart has no id in its URLs: A's cart is A's own, and A's checkout cannot take B's items.
        Assert.Empty((await a.GetCart()).Items);
        using (var checkout = await a.Http.PostAsJsonAsync("api/cart/checkout", new { paymentMethod = "pm_card_visa" }))
            await Visitors.AssertProblem(checkout, HttpStatusCode.Conflict);

        // B's things are untouched.
        var bsCartAfter = await b.GetCart();
        Assert.Equal(bsCart.Version, bsCartAfter.Version);
        Assert.Equal([(inCart.Id, 2)], bsCartAfter.Items.Select(i => (i.ProductId, i.Quantity)));
        Assert.NotEqual("Cancelled", (await b.GetOrder(orderId))!.Status);
        Assert.Equal(orderId, (await b.Get<Payment>($"api/payments/{orderId}"))!.OrderId);
    }

    /// <summary>Polls (gently: the per-user limit is small in this cluster) until B can see its own payment.</summary>
    async Task WaitForPayment(ShopApi owner, Guid orderId)
    {
        var deadline = DateTime.UtcNow + SagaTimeout;
        while (DateTime.UtcNow < deadline)
        {
            using var response = await owner.Http.GetAsync($"api/payments/{orderId}");
            if (response.StatusCode == HttpStatusCode.OK)
                return;
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            await Task.Delay(500);
        }
        throw new TimeoutException($"The payment of order {orderId} did not appear within {SagaTimeout}.\n{_cluster.Logs()}");
    }
}
