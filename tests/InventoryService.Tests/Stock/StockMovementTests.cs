using Shop.InventoryService.Stock;
using Xunit;

namespace Shop.InventoryService.Tests.Stock;

/// <summary>
/// The counters each movement moves (StockItem.Apply), without servers: the live consumers and endpoints and the stock
/// history's replay (admin streams state) both use it, so a replay of the movements lands where the live stock is.
/// </summary>
public sealed class StockMovementTests
{
    [Fact]
    public void Replaying_every_kind_of_movement_gives_the_live_counters()
    {
        var stock = new StockItem();
        (MovementKind Kind, int Quantity)[] movements =
        [
            (MovementKind.Received, 10), (MovementKind.Reserved, 3), (MovementKind.Sold, 3), (MovementKind.Adjusted, -2),
            (MovementKind.Reserved, 2), (MovementKind.Released, 2), (MovementKind.Reserved, 1), (MovementKind.Expired, 1),
            (MovementKind.Restocked, 1), (MovementKind.Adjusted, 4),
        ];
        foreach (var (kind, quantity) in movements)
            stock.Apply(kind, quantity);

        // 10 received - 3 sold - 2 written off + 1 restocked + 4 found = 10 on hand; 2 of the 3 sold remain sold.
        Assert.Equal((10, 0, 10, 2), (stock.OnHand, stock.Reserved, stock.Available, stock.Sold));
    }

    [Fact]
    public void Every_movement_kind_changes_the_counters()
    {
        foreach (var kind in Enum.GetValues<MovementKind>())
        {
            var stock = new StockItem { OnHand = 10, Reserved = 5, Sold = 5 };
            stock.Apply(kind, 1);
            Assert.True((stock.OnHand, stock.Reserved, stock.Sold) != (10, 5, 5), $"{kind} changed nothing");
        }
    }
}
