using Shop.Contracts.Inventory;
using Xunit;

namespace Shop.InventoryService.Tests.Stock;

[Collection(TwoInstancesCollection.Name)]
public sealed class RestockingStockTests(TwoInstances inventory)
{
    [Fact]
    public async Task Restocking_a_refunded_order_puts_its_sold_units_back_on_hand_once()
    {
        var mugs = await inventory.CreateProduct(stock: 10);
        var books = await inventory.CreateProduct(stock: 4);
        var order = Guid.NewGuid();
        await inventory.Send(new ReserveStock(order, [new StockLine(mugs.Id, 3), new StockLine(books.Id, 1)]));
        await inventory.Events.WaitFor<StockReserved>(e => e.OrderId == order);
        await inventory.Send(new CommitStock(order));
        await inventory.Events.WaitFor<StockCommitted>(e => e.OrderId == order);
        var sold = await inventory.GetStock(mugs.Id);
        Assert.Equal((7, 7, 3), (sold.OnHand, sold.Available, sold.Sold));

        await inventory.Send(new RestockOrder(order, "Returned"));
        await inventory.Events.WaitFor<StockRestocked>(e => e.OrderId == order);
        var restocked = await inventory.GetStock(mugs.Id);
        Assert.Equal((10, 0, 10, 0), (restocked.OnHand, restocked.Reserved, restocked.Available, restocked.Sold));
        Assert.Equal((4, 0), ((await inventory.GetStock(books.Id)).OnHand, (await inventory.GetStock(books.Id)).Sold));
        Assert.Single(restocked.RecentMovements, m => m.Kind == "Restocked" && m.OrderId == order);

        // A repeated command (a redelivery, a retried refund) answers the same and restocks nothing more.
        await inventory.Send(new RestockOrder(order, "Returned"));
        await inventory.Events.WaitForCount<StockRestocked>(e => e.OrderId == order, 2);
        var again = await inventory.GetStock(mugs.Id);
        Assert.Equal((10, 0), (again.OnHand, again.Sold));
        Assert.Single(again.RecentMovements, m => m.Kind == "Restocked" && m.OrderId == order);

        // The restocked units can be sold again.
        var next = Guid.NewGuid();
        await inventory.Send(new ReserveStock(next, [new StockLine(mugs.Id, 10)]));
        await inventory.Events.WaitFor<StockReserved>(e => e.OrderId == next);
    }

    [Fact]
    public async Task Restocking_an_order_that_holds_nothing_fails()
    {
        var unknown = Guid.NewGuid();
        await inventory.Send(new RestockOrder(unknown, "Returned"));
        Assert.Equal("NoReservation", (await inventory.Events.WaitFor<StockRestockFailed>(e => e.OrderId == unknown)).Reason);

        var product = await inventory.CreateProduct(stock: 5);
        var released = Guid.NewGuid();
        await inventory.Send(new ReserveStock(released, [new StockLine(product.Id, 2)]));
        await inventory.Events.WaitFor<StockReserved>(e => e.OrderId == released);
        await inventory.Send(new ReleaseStock(released, "PaymentDeclined"));
        await inventory.Events.WaitFor<StockReleased>(e => e.OrderId == released);
        await inventory.Send(new RestockOrder(released, "Returned"));
        Assert.Equal("ReservationReleased", (await inventory.Events.WaitFor<StockRestockFailed>(e => e.OrderId == released)).Reason);

        var stock = await inventory.GetStock(product.Id);
        Assert.Equal((5, 0, 5, 0), (stock.OnHand, stock.Reserved, stock.Available, stock.Sold));
        Assert.DoesNotContain(stock.RecentMovements, m => m.Kind == "Restocked");
    }

    /// <summary>
    /// The saga confirms an order without waiting for its commit, so a cancel's refund can overtake the commit (inventory
    /// was down, say): the restock then gives back the units still reserved and closes the reservation, and the commit
    /// that arrives afterwards sells nothing.
    /// </summary>
    [Fact]
    public async Task A_restock_that_overtakes_the_commit_releases_the_held_units_and_the_late_commit_sells_nothing()
    {
        var product = await inventory.CreateProduct(stock: 5);
        var order = Guid.NewGuid();
        await inventory.Send(new ReserveStock(order, [new StockLine(product.Id, 2)]));
        await inventory.Events.WaitFor<StockReserved>(e => e.OrderId == order);

        await inventory.Send(new RestockOrder(order, "CancelledAfterConfirmation"));
        await inventory.Events.WaitFor<StockRestocked>(e => e.OrderId == order);
        var restocked = await inventory.GetStock(product.Id);
        Assert.Equal((5, 0, 5, 0), (restocked.OnHand, restocked.Reserved, restocked.Available, restocked.Sold));
        var release = Assert.Single(restocked.RecentMovements, m => m.OrderId == order && m.Kind == "Released");
        Assert.Equal(2, release.Quantity);

        await inventory.Send(new CommitStock(order, ReplyWhenCommitted: false));
        Assert.Equal("ReservationRestocked", (await inventory.Events.WaitFor<StockCommitFailed>(e => e.OrderId == order)).Reason);
        var after = await inventory.GetStock(product.Id);
        Assert.Equal((5, 0, 0), (after.OnHand, after.Reserved, after.Sold));
        Assert.DoesNotContain(after.RecentMovements, m => m.OrderId == order && m.Kind == "Sold");
    }
}
