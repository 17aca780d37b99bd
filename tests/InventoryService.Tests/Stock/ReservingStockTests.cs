using System.Text.Json;
using Shop.BuildingBlocks.Security;
using Shop.Contracts.Inventory;
using Xunit;

namespace Shop.InventoryService.Tests.Stock;

[Collection(TwoInstancesCollection.Name)]
public sealed class ReservingStockTests(TwoInstances inventory)
{
    [Fact]
    public async Task Sixty_concurrent_single_unit_reservations_on_two_instances_reserve_exactly_the_ten_in_stock()
    {
        var instances = inventory.Cluster.Instances("inventory");
        Assert.Equal(2, instances.Count);
        Assert.Equal(2, await inventory.WaitForConsumers("inventory", 2)); // both processes compete for the one queue

        var product = await inventory.CreateProduct(stock: 10);
        var orders = Enumerable.Range(0, 60).Select(_ => Guid.NewGuid()).ToList();
        await Task.WhenAll(orders.Select(order => inventory.Send(new ReserveStock(order, [new StockLine(product.Id, 1)]))));

        var outcomes = await inventory.Events.WaitForReservationOutcomes(orders);
        var reserved = outcomes.Values.Select(o => o.Message).OfType<StockReserved>().ToList();
        var refused = outcomes.Values.Select(o => o.Message).OfType<StockReservationFailed>().ToList();
        Assert.Equal(10, reserved.Count);
        Assert.Equal(50, refused.Count);
        Assert.All(refused, f =>
        {
            Assert.Equal("OutOfStock", f.Reason);
            Assert.Equal([product.Id], f.UnavailableProductIds);
        });
        // The work was shared: outcomes were published by both processes.
        Assert.Equal(instances.Select(i => i.ProcessId).ToHashSet(), outcomes.Values.Select(o => o.ProcessId).ToHashSet());

        var stock = await inventory.GetStock(product.Id);
        Assert.Equal((10, 10, 0, 0), (stock.OnHand, stock.Reserved, stock.Available, stock.Sold));
        var reservedMovements = stock.RecentMovements.Where(m => m.Kind == "Reserved").ToList();
        Assert.Equal(reserved.Select(r => r.OrderId).Order(), reservedMovements.Select(m => m.OrderId!.Value).Order());
        Assert.All(reservedMovements, m => Assert.Equal(1, m.Quantity));

        // Nothing gave up on a concurrency conflict.
        Assert.Equal(0, (await inventory.Queue("inventory_error"))?.GetProperty("messages").GetInt32() ?? 0);
    }

    [Fact]
    public async Task A_redelivered_reserve_stock_is_a_no_op_and_a_resent_one_repeats_its_outcome()
    {
        var product = await inventory.CreateProduct(stock: 10);
        var order = Guid.NewGuid();
        var command = new ReserveStock(order, [new StockLine(product.Id, 3)]);
        var messageId = Guid.NewGuid();

        await inventory.Send(command, messageId);
        var first = await inventory.Events.WaitFor<StockReserved>(e => e.OrderId == order);

        // The broker redelivers the same message (same id); the saga re-sends the command (new id).
        var duplicatesBefore = await DuplicatesDropped();
        await inventory.Send(command, messageId);
        await inventory.Send(command);
        await WaitUntilDuplicateDropped(duplicatesBefore);
        var outcomes = await inventory.Events.WaitForCount<StockReserved>(e => e.OrderId == order, 2);

        Assert.Equal(2, outcomes.Count); // the redelivery is dropped by the inbox, the re-send repeats the outcome (distinct message ids)
        Assert.All(outcomes, o => Assert.Equal(first.ExpiresAt, o.ExpiresAt));
        Assert.Empty(inventory.Events.Of<StockReservationFailed>(e => e.OrderId == order));
        var stock = await inventory.GetStock(product.Id);
        Assert.Equal((10, 3, 7), (stock.OnHand, stock.Reserved, stock.Available));
        Assert.Single(stock.RecentMovements, m => m.Kind == "Reserved" && m.OrderId == order);
    }

    [Fact]
    public async Task A_multi_line_reservation_with_one_short_line_reserves_nothing()
    {
        var plenty = await inventory.CreateProduct(stock: 10);
        var scarce = await inventory.CreateProduct(stock: 1);
        var order = Guid.NewGuid();

        await inventory.Send(new ReserveStock(order, [new StockLine(plenty.Id, 2), new StockLine(scarce.Id, 2)]));

        var failed = await inventory.Events.WaitFor<StockReservationFailed>(e => e.OrderId == order);
        Assert.Equal("OutOfStock", failed.Reason);
        Assert.Equal([scarce.Id], failed.UnavailableProductIds);
        foreach (var product in new[] { plenty, scarce })
        {
            var stock = await inventory.GetStock(product.Id);
            Assert.Equal(0, stock.Reserved);
            Assert.Equal(product.Available, stock.Available);
            Assert.DoesNotContain(stock.RecentMovements, m => m.OrderId == order);
        }

        // The same lines within stock reserve both.
        var next = Guid.NewGuid();
        await inventory.Send(new ReserveStock(next, [new StockLine(plenty.Id, 2), new StockLine(scarce.Id, 1)]));
        await inventory.Events.WaitFor<StockReserved>(e => e.OrderId == next);
        Assert.Equal(8, (await inventory.GetStock(plenty.Id)).Available);
        Assert.Equal(0, (await inventory.GetStock(scarce.Id)).Available);
    }

    [Fact]
    public async Task Lines_for_unknown_or_deactivated_products_or_without_quantity_reserve_nothing()
    {
        var active = await inventory.CreateProduct(stock: 10);
        var deactivated = await inventory.CreateProduct(stock: 10);
        (await inventory.Admin.PostAsync($"api/products/{deactivated.Id}/deactivate", null)).EnsureSuccessStatusCode();
        var unknown = Guid.NewGuid();

        var cases = new (Guid Order, StockLine[] Lines, Guid Unavailable)[]
        {
            (Guid.NewGuid(), [new StockLine(active.Id, 1), new StockLine(unknown, 1)], unknown),
            (Guid.NewGuid(), [new StockLine(active.Id, 1), new StockLine(deactivated.Id, 1)], deactivated.Id),
            (Guid.NewGuid(), [new StockLine(active.Id, 0)], active.Id),
        };
        foreach (var (order, lines, _) in cases)
            await inventory.Send(new ReserveStock(order, lines));

        foreach (var (order, _, unavailable) in cases)
        {
            var failed = await inventory.Events.WaitFor<StockReservationFailed>(e => e.OrderId == order);
            Assert.Contains(unavailable, failed.UnavailableProductIds);
        }
        Assert.Equal(0, (await inventory.GetStock(active.Id)).Reserved);
        Assert.Equal(0, (await inventory.GetStock(deactivated.Id)).Reserved);
    }

    /// <summary>Copies of already handled messages the inventory instances' inboxes dropped (GET /admin/messaging).</summary>
    async Task<long> DuplicatesDropped()
    {
        long total = 0;
        for (var instance = 0; instance < inventory.Cluster.Instances("inventory").Count; instance++)
        {
            using var admin = inventory.Client(instance, inventory.Token(ShopRoles.Admin));
            total += (await InventoryCluster.Get<JsonElement>(admin, "admin/messaging")).GetProperty("duplicatesDropped").GetInt64();
        }
        return total;
    }

    /// <summary>Waits until an inbox has recognised and dropped one more copy: the redelivery has been consumed.</summary>
    async Task WaitUntilDuplicateDropped(long before)
    {
        var deadline = DateTime.UtcNow + InventoryCluster.OutcomeTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await DuplicatesDropped() > before)
                return;
            await Task.Delay(100);
        }
        throw new TimeoutException($"No redelivered copy was dropped within {InventoryCluster.OutcomeTimeout}.");
    }
}
