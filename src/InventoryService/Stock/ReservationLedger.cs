using Marten;

namespace Shop.InventoryService.Stock;

public static class ReservationLedger
{
    /// <summary>Moves a reservation's units from reserved back to available (a release or an expiry).</summary>
    public static async Task ReturnReservedUnits(IDocumentSession session, Reservation reservation, MovementKind kind, CancellationToken cancellationToken)
    {
        var items = (await session.LoadManyAsync<StockItem>(cancellationToken, reservation.Lines.Select(l => l.ProductId))).ToDictionary(i => i.Id);
        foreach (var line in reservation.Lines)
        {
            if (!items.TryGetValue(line.ProductId, out var item))
                continue;
            item.Reserved -= line.Quantity;
            session.Update(item);
            session.Insert(StockMovement.For(line.ProductId, kind, line.Quantity, reservation.Id));
        }
    }
}
