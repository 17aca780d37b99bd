using Shop.Contracts.Inventory;
using Xunit;

namespace Shop.InventoryService.Tests.Stock;

[Collection(TwoInstancesCollection.Name)]
public sealed class ReleasingStockTests(TwoInstances inventory)
{
    [Fact]
    public async Task Releasing_gives_the_units_back_and_releasing_again_changes_nothing()
    {
        var product = await inventory.CreateProduct(stock: 10);
        var order = Guid.NewGuid();
        await inventory.Send(new ReserveStock(order, [new StockLine(product.Id, 4)]));
        await inventory.Events.WaitFor<StockReserved>(e => e.OrderId == order);
        Assert.Equal(6, (await inventory.GetStock(product.Id)).Available);

        await inventory.Send(new ReleaseStock(order, "PaymentDeclined"));
        await inventory.Events.WaitFor<StockReleased>(e => e.OrderId == order);
        var released = await inventory.GetStock(product.Id);
        Assert.Equal((10, 0, 10), (released.OnHand, released.Reserved, released.Available));

        await inventory.Send(new ReleaseStock(order, "PaymentDeclined"));
        await inventory.Events.WaitForCount<StockReleased>(e => e.OrderId == order, 2);
        var again = await inventory.GetStock(product.Id);
        Assert.Equal((10, 0, 10), (again.OnHand, again.Reserved, again.Available));
        Assert.Single(again.RecentMovements, m => m.Kind == "Released" && m.OrderId == order);
    }

    [Fact]
    public async Task Releasing_an_unknown_order_is_a_no_op_and_a_late_reservation_for_it_reserves_nothing()
    {
        var product = await inventory.CreateProduct(stock: 5);
        var order = Guid.NewGuid();

        await inventory.Send(new ReleaseStock(order, "Cancelled"));
        await inventory.Events.WaitFor<StockReleased>(e => e.OrderId == order);
        var stock = await inventory.GetStock(product.Id);
        Assert.Equal((5, 0, 5), (stock.OnHand, stock.Reserved, stock.Available));

        // The cancellation overtook the reservation: the reservation arriving afterwards must not hold stock forever.
        await inventory.Send(new ReserveStock(order, [new StockLine(product.Id, 2)]));
        var failed = await inventory.Events.WaitFor<StockReservationFailed>(e => e.OrderId == order);
        Assert.Equal("ReservationReleased", failed.Reason);
        Assert.Empty(inventory.Events.Of<StockReserved>(e => e.OrderId == order));
        var after = await inventory.GetStock(product.Id);
        Assert.Equal((5, 0, 5), (after.OnHand, after.Reserved, after.Available));
        Assert.DoesNotContain(after.RecentMovements, m => m.OrderId == order);
    }
}
