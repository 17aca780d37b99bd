using System.Net.Http.Json;
using Npgsql;
using Shop.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Shop.Deployment.Tests.ScaleOut;

/// <summary>
/// Scale-out on one machine: a burst of concurrent checkouts against two instances each of OrderSaga, InventoryService
/// and PaymentService sharing their queues. Every order must end right — no lost or stuck order, no oversold stock, no
/// order charged twice — and both instances of each pair must have done part of the work.
/// </summary>
public sealed class ScaleOutTests(ScaledClusterFixture fixture, ITestOutputHelper output) : IClassFixture<ScaledClusterFixture>
{
    static readonly TimeSpan OrderTimeout = TimeSpan.FromMinutes(3);
    static readonly string[] Terminal = ["Completed", "Failed", "Cancelled"];
    readonly ShopCluster _cluster = fixture.Cluster;

    sealed record Basket(string Kind, string PaymentMethod, (Guid ProductId, int Quantity)[] Lines);

    sealed record PlacedOrder(Basket Basket, Guid OrderId, ShopApi Customer);

    [Fact]
    public async Task Concurrent_orders_all_end_correctly_with_two_instances_of_saga_inventory_and_payment()
    {
        using var admin = _cluster.Api();
        await admin.Login(_cluster.AdminEmail, _cluster.AdminPassword);
        // Scarce: 8 orders want one each of 6. Shared: the declined orders hold 1 each until released; 2x2 + 2x1 = 6 fits.
        var scarce = await CreateProduct(admin, "SCALE-SCARCE", 10.00m, stock: 6);
        var shared = await CreateProduct(admin, "SCALE-SHARED", 20.00m, stock: 6);
        var plenty = await CreateProduct(admin, "SCALE-PLENTY", 5.00m, stock: 50);
        var prices = new Dictionary<Guid, decimal> { [scarce] = 10.00m, [shared] = 20.00m, [plenty] = 5.00m };

        var baskets = Enumerable.Range(0, 8).Select(_ => new Basket("scarce", "pm_card_visa", [(scarce, 1), (plenty, 1)]))
            .Concat(Enumerable.Range(0, 2).Select(_ => new Basket("declined", "pm_card_chargeDeclined", [(shared, 1)])))
            .Concat(Enumerable.Range(0, 2).Select(_ => new Basket("shared", "pm_card_visa", [(shared, 2), (plenty, 1)])))
            .Concat(Enumerable.Range(0, 2).Select(_ => new Basket("plenty", "pm_card_visa", [(plenty, 3)])))
            .ToList();

        // Every customer fills a cart first; then all check out at once.
        var customers = await Task.WhenAll(baskets.Select(async basket =>
        {
            var customer = _cluster.Api();
            await customer.SignUpCustomer();
            foreach (var (productId, quantity) in basket.Lines)
                await customer.AddToCart(productId, quantity);
            return (basket, customer);
        }));
        var placed = await Task.WhenAll(customers.Select(async c => new PlacedOrder(c.basket, await c.customer.Checkout(c.basket.PaymentMethod), c.customer)));
        try
        {
            var orders = await Task.WhenAll(placed.Select(async p => (Placed: p, Order: await WaitForTerminal(p))));
            foreach (var (p, order) in orders)
                output.WriteLine($"{p.Basket.Kind,-8} {order.OrderId} {order.Status} {order.FailureReason} {string.Join(" -> ", order.Timeline.Select(t => t.Status))}");

            // Statuses: exactly the stock there was decides which scarce orders win; every other outcome is fixed.
            var scarceOrders = orders.Where(o => o.Placed.Basket.Kind == "scarce").Select(o => o.Order).ToList();
            Assert.Equal(6, scarceOrders.Count(o => o.Status == "Completed"));
            Assert.All(scarceOrders.Where(o => o.Status != "Completed"), o => Assert.Equal(("Failed", "OutOfStock"), (o.Status, o.FailureReason)));
            foreach (var (p, order) in orders.Where(o => o.Placed.Basket.Kind == "declined"))
            {
                Assert.Equal(("Failed", "PaymentDeclined"), (order.Status, order.FailureReason));
                Assert.Contains(order.Timeline, t => t.Status == "StockReserved");
            }
            Assert.All(orders.Where(o => o.Placed.Basket.Kind is "shared" or "plenty"), o => Assert.Equal("Completed", o.Order.Status));

            var completed = orders.Where(o => o.Order.Status == "Completed").ToList();
            foreach (var (p, order) in completed)
            {
                Assert.Equal(p.Basket.Lines.Sum(l => prices[l.ProductId] * l.Quantity), order.Total);
                Assert.Equal(["Placed", "StockReserved", "PaymentCaptured", "Confirmed", "Completed"],
                    order.Timeline.Select(t => t.Status).Where(s => s != "CustomerNotified"));
            }

            // Stock arithmetic: what completed orders bought is sold, nothing stays reserved, nothing is oversold.
            int SoldOf(Guid productId) => completed.Sum(o => o.Placed.Basket.Lines.Where(l => l.ProductId == productId).Sum(l => l.Quantity));
            foreach (var (productId, initial) in new[] { (scarce, 6), (shared, 6), (plenty, 50) })
            {
                var stock = await WaitForNoReservations(admin, productId);
                Assert.Equal(SoldOf(productId), stock.Sold);
                Assert.Equal(initial - stock.Sold, stock.OnHand);
                Assert.Equal(stock.OnHand, stock.Available);
            }
            Assert.Equal(6, SoldOf(scarce));
            Assert.Equal(4, SoldOf(shared));
            Assert.Equal(6 + 2 + 6, SoldOf(plenty));

            // Payments: one capture per completed order, none for a declined or never-reserved one, no refunds.
            var paymentEvents = await PaymentEventsByOrder();
            foreach (var (p, order) in orders)
            {
                var events = paymentEvents.GetValueOrDefault(order.OrderId, []);
                var expected = order.Status == "Completed" ? ["payment_requested", "payment_captured"]
                    : order.FailureReason == "PaymentDeclined" ? ["payment_requested", "payment_declined"]
                    : Array.Empty<string>();
                Assert.True(expected.SequenceEqual(events), $"order {order.OrderId} ({order.Status}) has payment events [{string.Join(", ", events)}]");
                if (order.Status == "Completed")
                {
                    var payment = await p.Customer.Get<PaymentView>($"api/payments/{order.OrderId}");
                    Assert.Equal(("Captured", order.Total, 0m), (payment!.Status, payment.Amount, payment.Refunded));
                }
            }

            await AssertBothInstancesConsumed();
        }
        finally
        {
            foreach (var p in placed)
                p.Customer.Dispose();
        }
    }

    [Fact]
    public async Task The_gateway_keeps_serving_when_one_instance_of_a_service_stops()
    {
        using var shopper = _cluster.Api();
        Assert.Equal(2, _cluster.Instances("inventory").Count);
        await _cluster.Instances("inventory")[0].StopAsync();
        try
        {
            // The gateway notices the stopped instance (a failed request or its health probe) and sends everything to
            // the other one; requests already on their way to the stopped one may fail until then.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            var consecutive = 0;
            while (consecutive < 20 && DateTime.UtcNow < deadline)
            {
                using var response = await shopper.Http.GetAsync("api/products?pageSize=1");
                consecutive = response.IsSuccessStatusCode ? consecutive + 1 : 0;
                await Task.Delay(consecutive == 0 ? 500 : 50);
            }
            Assert.True(consecutive >= 20, "the gateway kept sending catalog requests to the stopped inventory instance");
        }
        finally
        {
            await _cluster.RestartAsync("inventory", 0);
        }
    }

    sealed record PaymentView(Guid OrderId, string Status, decimal Amount, decimal Refunded);

    async Task AssertBothInstancesConsumed()
    {
        using var rabbit = await RabbitMqConsumers.ConnectAsync(_cluster.VirtualHost);
        foreach (var queue in new[] { "orders", "inventory", "payments" })
        {
            Assert.Equal("quorum", await rabbit.TypeOfQueueAsync(queue));
            // The management API refreshes its message statistics every few seconds.
            List<RabbitMqConsumers.Consumer> consumers = [];
            for (var attempt = 0; attempt < 30; attempt++)
            {
                consumers = await rabbit.OfQueueAsync(queue);
                if (consumers.Count == 2 && consumers.All(c => c.Delivered > 0))
                    break;
                await Task.Delay(1000);
            }
            output.WriteLine($"{queue}: {string.Join("; ", consumers.Select(c => $"{c.Connection} got {c.Delivered}"))}");
            Assert.True(consumers.Count == 2, $"queue {queue} has {consumers.Count} consumer(s), expected one per instance");
            Assert.Equal(2, consumers.Select(c => c.Connection).Distinct().Count());
            Assert.True(consumers.All(c => c.Delivered > 0), $"one instance consuming {queue} received nothing: " +
                                                              string.Join("; ", consumers.Select(c => $"{c.Connection}: {c.Delivered}")));
        }
    }

    static async Task<Guid> CreateProduct(ShopApi admin, string sku, decimal price, int stock)
    {
        using var response = await admin.Http.PostAsJsonAsync("api/products", new
        {
            sku, name = sku, description = "scale-out test product", price, currency = "EUR", category = "Test", imageUrl = (string?)null, stock,
        }, ShopApi.Json);
        await ShopApi.EnsureSuccess(response);
        return (await response.Content.ReadFromJsonAsync<ShopApi.Product>(ShopApi.Json))!.Id;
    }

    async Task<ShopApi.Order> WaitForTerminal(PlacedOrder placed)
    {
        var deadline = DateTime.UtcNow + OrderTimeout;
        ShopApi.Order? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = await placed.Customer.GetOrder(placed.OrderId);
            if (last is not null && Terminal.Contains(last.Status))
                return last;
            await Task.Delay(500);
        }
        throw new TimeoutException($"order {placed.OrderId} ({placed.Basket.Kind}) is still {last?.Status ?? "invisible"} after {OrderTimeout}\n{_cluster.Logs()}");
    }

    static async Task<ShopApi.Stock> WaitForNoReservations(ShopApi admin, Guid productId)
    {
        var stock = await admin.GetStock(productId);
        for (var attempt = 0; attempt < 60 && stock.Reserved != 0; attempt++)
        {
            await Task.Delay(500);
            stock = await admin.GetStock(productId);
        }
        Assert.True(stock.Reserved == 0, $"{stock.Reserved} unit(s) of {productId} are still reserved after every order ended");
        return stock;
    }

    /// <summary>The payment ledger events of each order, in stream order, straight from PaymentService's event store.</summary>
    async Task<Dictionary<Guid, List<string>>> PaymentEventsByOrder()
    {
        await using var connection = new NpgsqlConnection(_cluster.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select stream_id, type from payments.mt_events order by stream_id, version", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var events = new Dictionary<Guid, List<string>>();
        while (await reader.ReadAsync())
        {
            var stream = reader.GetGuid(0);
            if (!events.TryGetValue(stream, out var list))
                events[stream] = list = [];
            list.Add(reader.GetString(1));
        }
        return events;
    }
}
