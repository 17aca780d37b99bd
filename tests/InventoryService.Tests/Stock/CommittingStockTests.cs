using Shop.Contracts.Inventory;
using Shop.Testing;
using Xunit;

namespace Shop.InventoryService.Tests.Stock;

[Collection(TwoInstancesCollection.Name)]
public sealed class CommittingStockTests(TwoInstances inventory)
{
    [Fact]
    public async Task Committing_turns_reserved_units_into_sold_ones_once()
    {
        var product = await inventory.CreateProduct(stock: 10);
        var order = Guid.NewGuid();
        await inventory.Send(new ReserveStock(order, [new StockLine(product.Id, 3)]));
        await inventory.Events.WaitFor<StockReserved>(e => e.OrderId == order);

        await inventory.Send(new CommitStock(order));
        await inventory.Events.WaitFor<StockCommitted>(e => e.OrderId == order);
        var stock = await inventory.GetStock(product.Id);
        Assert.Equal((7, 0, 7, 3), (stock.OnHand, stock.Reserved, stock.Available, stock.Sold));

        await inventory.Send(new CommitStock(order));
        await inventory.Events.WaitForCount<StockCommitted>(e => e.OrderId == order, 2);
        var again = await inventory.GetStock(product.Id);
        Assert.Equal((7, 0, 7, 3), (again.OnHand, again.Reserved, again.Available, again.Sold));
        Assert.Single(again.RecentMovements, m => m.Kind == "Sold" && m.OrderId == order);

        // A release after the commit does not put sold units back.
        await inventory.Send(new ReleaseStock(order, "Late"));
        await inventory.Events.WaitFor<StockReleased>(e => e.OrderId == order);
        Assert.Equal(7, (await inventory.GetStock(product.Id)).OnHand);
    }

    /// <summary>What the order saga sends: the order is confirmed already, so only a failure is answered.</summary>
    [Fact]
    public async Task A_commit_that_asks_no_answer_sells_the_units_silently()
    {
        var product = await inventory.CreateProduct(stock: 10);
        var order = Guid.NewGuid();
        await inventory.Send(new ReserveStock(order, [new StockLine(product.Id, 4)]));
        await inventory.Events.WaitFor<StockReserved>(e => e.OrderId == order);

        await inventory.Send(new CommitStock(order, ReplyWhenCommitted: false));
        Assert.True(await Poll.Until(async () => (await inventory.GetStock(product.Id)).Sold == 4, TimeSpan.FromSeconds(30)),
            "the reservation was not committed");
        var stock = await inventory.GetStock(product.Id);
        Assert.Equal((6, 0, 6), (stock.OnHand, stock.Reserved, stock.Available));

        // Had the first commit answered, its answer would have come before this one's: only one arrives.
        await inventory.Send(new CommitStock(order));
        await inventory.Events.WaitFor<StockCommitted>(e => e.OrderId == order);
        Assert.Single(inventory.Events.Of<StockCommitted>(e => e.OrderId == order));
        Assert.Equal(4, (await inventory.GetStock(product.Id)).Sold);
    }

    /// <summary>
    /// A CommitStock sent before the reply flag existed (an order the version before left in the saga's Confirming state)
    /// has no such field on the wire: it asks for the answer, which that order waits for.
    /// </summary>
    [Fact]
    public async Task A_commit_sent_before_the_reply_flag_existed_is_answered()
    {
        var product = await inventory.CreateProduct(stock: 3);
        var order = Guid.NewGuid();
        await inventory.Send(new ReserveStock(order, [new StockLine(product.Id, 1)]));
        await inventory.Events.WaitFor<StockReserved>(e => e.OrderId == order);

        await inventory.Send(new CommitStockAsSentBefore(order));
        await inventory.Events.WaitFor<StockCommitted>(e => e.OrderId == order);
        Assert.Equal(1, (await inventory.GetStock(product.Id)).Sold);
    }

    /// <summary>CommitStock as the contract was before <see cref="CommitStock.ReplyWhenCommitted"/>: the same message type on the wire.</summary>
    [MassTransit.MessageUrn("Shop.Contracts.Inventory:CommitStock")]
    public sealed record CommitStockAsSentBefore(Guid OrderId);

    [Fact]
    public async Task Committing_without_a_held_reservation_fails()
    {
        var product = await inventory.CreateProduct(stock: 1);
        var unknown = Guid.NewGuid();
        await inventory.Send(new CommitStock(unknown));
        Assert.Equal("NoReservation", (await inventory.Events.WaitFor<StockCommitFailed>(e => e.OrderId == unknown)).Reason);

        var refused = Guid.NewGuid();
        await inventory.Send(new ReserveStock(refused, [new StockLine(product.Id, 2)]));
        await inventory.Events.WaitFor<StockReservationFailed>(e => e.OrderId == refused);
        await inventory.Send(new CommitStock(refused));
        Assert.Equal("ReservationRefused", (await inventory.Events.WaitFor<StockCommitFailed>(e => e.OrderId == refused)).Reason);

        var released = Guid.NewGuid();
        await inventory.Send(new ReserveStock(released, [new StockLine(product.Id, 1)]));
        await inventory.Events.WaitFor<StockReserved>(e => e.OrderId == released);
        await inventory.Send(new ReleaseStock(released, "Cancelled"));
        await inventory.Events.WaitFor<StockReleased>(e => e.OrderId == released);
        await inventory.Send(new CommitStock(released));
        Assert.Equal("ReservationReleased", (await inventory.Events.WaitFor<StockCommitFailed>(e => e.OrderId == released)).Reason);

        var stock = await inventory.GetStock(product.Id);
        Assert.Equal((1, 0, 1, 0), (stock.OnHand, stock.Reserved, stock.Available, stock.Sold));
    }
}
