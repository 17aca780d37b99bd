using System.Net;
using System.Net.Http.Json;
using Npgsql;
using Shop.Testing;
using Xunit;

namespace Shop.CartService.Tests.EndToEnd;

public sealed class CartClusterFixture : IAsyncLifetime
{
    public ShopCluster Cluster { get; } = new();

    /// <summary>How long a service may take to get ready on a loaded machine (ShopCluster's own wait is shorter).</summary>
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(5);

    public async Task InitializeAsync()
    {
        try
        {
            await Cluster.StartAsync("cart-e2e");
        }
        catch (TimeoutException)
        {
            // The processes keep starting; on a busy machine they only need longer.
            foreach (var (name, _) in ShopCluster.ServiceProjects)
                await Cluster.Service(name).WaitUntilReadyAsync(ReadyTimeout);
        }
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class CartClusterCollection : ICollectionFixture<CartClusterFixture>
{
    public const string Name = "cart-cluster";
}

/// <summary>The cart within the whole system: real processes, through the gateway.</summary>
[Collection(CartClusterCollection.Name)]
public sealed class CartClusterTests(CartClusterFixture fixture)
{
    static readonly TimeSpan SagaTimeout = TimeSpan.FromMinutes(3);
    readonly ShopCluster _cluster = fixture.Cluster;

    [Fact]
    public async Task With_InventoryService_down_the_cart_still_adds_prices_and_checks_out_and_the_order_completes_once_it_is_back()
    {
        using var shopper = _cluster.Api();
        await shopper.SignUpCustomer();
        var catalog = await WaitForCatalog(shopper);
        await WaitForReplica(catalog.Items.Select(p => p.Id).ToList());
        var (mug, book) = (catalog.Items[0], catalog.Items[1]);

        _cluster.Service("inventory").Kill();
        try
        {
            using (var down = await shopper.Http.GetAsync($"api/products/{mug.Id}"))
                Assert.False(down.IsSuccessStatusCode, "InventoryService still answers");

            await shopper.AddToCart(mug.Id, 2);
            var cart = await shopper.AddToCart(book.Id, 1);
            Assert.Equal(mug.Price * 2 + book.Price, cart.Total);
            Assert.Equal([mug.Price, book.Price], cart.Items.Select(i => i.UnitPrice));
            using (var put = await shopper.Http.PutAsJsonAsync($"api/cart/items/{mug.Id}", new { quantity = 3 }))
                Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            Assert.Equal(mug.Price * 3 + book.Price, (await shopper.GetCart()).Total);

            // A product this replica has never heard of cannot be judged while its owner is away.
            using (var unknown = await shopper.Http.PostAsJsonAsync("api/cart/items", new { productId = Guid.NewGuid(), quantity = 1 }))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, unknown.StatusCode);
                Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
            }

            var orderId = await shopper.Checkout("pm_card_visa");
            Assert.Empty((await shopper.GetCart()).Items);

            await StartInventory();
            var order = await shopper.WaitForOrder(orderId, SagaTimeout, "Completed", "Failed", "Cancelled");
            Assert.True(order.Status == "Completed", $"order ended {order.Status} ({order.FailureReason})\n{_cluster.Logs()}");
            Assert.Equal(mug.Price * 3 + book.Price, order.Total);
        }
        finally
        {
            if (!_cluster.Service("inventory").IsRunning)
                await StartInventory();
        }
    }

    async Task StartInventory()
    {
        _cluster.Service("inventory").Start();
        await _cluster.Service("inventory").WaitUntilReadyAsync(CartClusterFixture.ReadyTimeout);
    }

    [Fact]
    public async Task A_double_checkout_and_a_retried_request_make_one_order()
    {
        using var shopper = _cluster.Api();
        await shopper.SignUpCustomer();
        var product = (await WaitForCatalog(shopper)).Items[2];
        await shopper.AddToCart(product.Id, 1);
        var key = Guid.NewGuid().ToString();

        var clicks = await Task.WhenAll(Checkout(shopper, key), Checkout(shopper, key));
        var orderIds = new List<Guid>();
        foreach (var click in clicks)
        {
            using (click)
            {
                Assert.Equal(HttpStatusCode.Accepted, click.StatusCode);
                orderIds.Add((await click.Content.ReadFromJsonAsync<ShopApi.CheckoutResult>(ShopApi.Json))!.OrderId);
            }
        }
        Assert.Equal(orderIds[0], orderIds[1]);

        var order = await shopper.WaitForOrder(orderIds[0], SagaTimeout, "Completed", "Failed", "Cancelled");
        Assert.Equal("Completed", order.Status);
        using (var retry = await Checkout(shopper, key)) // the client never saw an answer and retries later
        {
            Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
            Assert.Equal(orderIds[0], (await retry.Content.ReadFromJsonAsync<ShopApi.CheckoutResult>(ShopApi.Json))!.OrderId);
        }

        var mine = await shopper.Get<List<ShopApi.Order>>("api/orders");
        Assert.Equal([orderIds[0]], mine!.Select(o => o.OrderId));
    }

    static async Task<HttpResponseMessage> Checkout(ShopApi shopper, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "api/cart/checkout") { Content = JsonContent.Create(new { paymentMethod = "pm_card_visa" }) };
        request.Headers.Add("Idempotency-Key", key);
        return await shopper.Http.SendAsync(request);
    }

    static async Task<ShopApi.ProductPage> WaitForCatalog(ShopApi api)
    {
        for (var attempt = 0; attempt < 300; attempt++)
        {
            var page = await api.Products("?pageSize=50&sort=price");
            if (page.Total >= 12)
                return page;
            await Task.Delay(200);
        }
        throw new TimeoutException("The demo catalog did not appear");
    }

    /// <summary>Waits until the cart service's own replica holds the products (fed by events and reconciliation).</summary>
    async Task WaitForReplica(IReadOnlyList<Guid> productIds)
    {
        await using var connection = new NpgsqlConnection(_cluster.Database.ConnectionString);
        await connection.OpenAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        long count = 0;
        while (DateTime.UtcNow < deadline)
        {
            await using var command = new NpgsqlCommand("select count(*) from cart.mt_doc_catalogproduct where id = any(@ids)", connection);
            command.Parameters.AddWithValue("ids", productIds.ToArray());
            count = (long)(await command.ExecuteScalarAsync())!;
            if (count == productIds.Count)
                return;
            await Task.Delay(200);
        }
        throw new TimeoutException($"The cart's replica holds {count} of {productIds.Count} catalog products");
    }
}
