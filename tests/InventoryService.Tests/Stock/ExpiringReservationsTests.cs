using Shop.Contracts.Inventory;
using Xunit;

namespace Shop.InventoryService.Tests.Stock;

[Collection(ShortReservationHoldCollection.Name)]
public sealed class ExpiringReservationsTests(ShortReservationHold inventory)
{
    [Fact]
    public async Task An_expired_reservation_gives_its_units_back_and_a_late_commit_sells_them_only_if_they_are_still_there()
    {
        var product = await inventory.CreateProduct(stock: 5);
        var order = Guid.NewGuid();
        var sent = DateTimeOffset.UtcNow;
        await inventory.Send(new ReserveStock(order, [new StockLine(product.Id, 2)]));
        var reserved = await inventory.Events.WaitFor<StockReserved>(e => e.OrderId == order);
        Assert.InRange(reserved.ExpiresAt, sent + ShortReservationHold.Hold - TimeSpan.FromSeconds(5), DateTimeOffset.UtcNow + ShortReservationHold.Hold);

        var expired = await inventory.Events.WaitFor<StockReservationExpired>(e => e.OrderId == order);
        Assert.True(expired.ExpiredAt >= reserved.ExpiresAt, $"expired at {expired.ExpiredAt:O}, before its hold ended at {reserved.ExpiresAt:O}");
        var stock = await inventory.GetStock(product.Id);
        Assert.Equal((5, 0, 5), (stock.OnHand, stock.Reserved, stock.Available));
        var movement = Assert.Single(stock.RecentMovements, m => m.Kind == "Expired");
        Assert.Equal((order, 2), (movement.OrderId, movement.Quantity));

        // Meanwhile another order bought all but one of the units: the late commit cannot sell two.
        var rival = Guid.NewGuid();
        await inventory.Send(new ReserveStock(rival, [new StockLine(product.Id, 4)]));
        await inventory.Events.WaitFor<StockReserved>(e => e.OrderId == rival);
        await inventory.Send(new CommitStock(rival));
        await inventory.Events.WaitFor<StockCommitted>(e => e.OrderId == rival);
        await inventory.Send(new CommitStock(order, ReplyWhenCommitted: false));
        Assert.Equal("ReservationExpired", (await inventory.Events.WaitFor<StockCommitFailed>(e => e.OrderId == order)).Reason);
        var refused = await inventory.GetStock(product.Id);
        Assert.Equal((1, 0, 1, 4), (refused.OnHand, refused.Reserved, refused.Available, refused.Sold));

        // Once the units are back (the rival was refunded), a commit (a redelivery, or the saga's after an outage) sells
        // them after all.
        await inventory.Send(new RestockOrder(rival, "CancelledAfterConfirmation"));
        await inventory.Events.WaitFor<StockRestocked>(e => e.OrderId == rival);
        await inventory.Send(new CommitStock(order));
        await inventory.Events.WaitFor<StockCommitted>(e => e.OrderId == order);
        var sold = await inventory.GetStock(product.Id);
        Assert.Equal((3, 0, 3, 2), (sold.OnHand, sold.Reserved, sold.Available, sold.Sold));
        Assert.Equal(["Reserved", "Expired", "Reserved", "Sold"],
            sold.RecentMovements.Where(m => m.OrderId == order).OrderBy(m => m.At).Select(m => m.Kind));
    }

    [Fact]
    public async Task A_release_after_the_expiry_changes_nothing()
    {
        var product = await inventory.CreateProduct(stock: 5);
        var order = Guid.NewGuid();
        await inventory.Send(new ReserveStock(order, [new StockLine(product.Id, 2)]));
        await inventory.Events.WaitFor<StockReservationExpired>(e => e.OrderId == order);

        await inventory.Send(new ReleaseStock(order, "PaymentTimeout"));
        await inventory.Events.WaitFor<StockReleased>(e => e.OrderId == order);
        var after = await inventory.GetStock(product.Id);
        Assert.Equal((5, 0, 5), (after.OnHand, after.Reserved, after.Available));
        Assert.DoesNotContain(after.RecentMovements, m => m.Kind == "Released");
    }

    [Fact]
    public async Task A_committed_reservation_is_left_alone_when_its_hold_ends()
    {
        var product = await inventory.CreateProduct(stock: 5);
        var committed = Guid.NewGuid();
        await inventory.Send(new ReserveStock(committed, [new StockLine(product.Id, 1)]));
        await inventory.Events.WaitFor<StockReserved>(e => e.OrderId == committed);
        await inventory.Send(new CommitStock(committed));
        await inventory.Events.WaitFor<StockCommitted>(e => e.OrderId == committed);

        // A later reservation's expiry comes after the committed one's timer has fired.
        var later = Guid.NewGuid();
        await inventory.Send(new ReserveStock(later, [new StockLine(product.Id, 1)]));
        await inventory.Events.WaitFor<StockReservationExpired>(e => e.OrderId == later);

        Assert.Empty(inventory.Events.Of<StockReservationExpired>(e => e.OrderId == committed));
        var stock = await inventory.GetStock(product.Id);
        Assert.Equal((4, 0, 4, 1), (stock.OnHand, stock.Reserved, stock.Available, stock.Sold));
        Assert.DoesNotContain(stock.RecentMovements, m => m.Kind == "Expired" && m.OrderId == committed);
    }
}
