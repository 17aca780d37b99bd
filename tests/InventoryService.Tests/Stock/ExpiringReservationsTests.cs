using Shop.Contracts.Inventory;
using Xunit;

namespace Shop.InventoryService.Tests.Stock;

[Collection(ShortReservationHoldCollection.Name)]
public sealed class ExpiringReservationsTests(ShortReservationHold inventory)
{
    [Fact]
    public async Task An_expired_reservation_gives_its_units_back_and_can_no_longer_be_committed()
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

        await inventory.Send(new CommitStock(order));
        var failed = await inventory.Events.WaitFor<StockCommitFailed>(e => e.OrderId == order);
        Assert.Equal("ReservationExpired", failed.Reason);
        Assert.Equal(0, (await inventory.GetStock(product.Id)).Sold);

        // A compensating release after the expiry changes nothing either.
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
