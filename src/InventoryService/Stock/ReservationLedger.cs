using Marten;
using MassTransit;
using Shop.BuildingBlocks.Messaging;

namespace Shop.InventoryService.Stock;

public static class ReservationLedger
{
    /// <summary>
    /// The reservation is closed (committed or released): its expiry timer has nothing left to do, so it is removed in
    /// the same transaction instead of firing later for nothing.
    /// </summary>
    public static async Task CancelExpiry(ConsumeContext context, Reservation reservation)
    {
        if (reservation.ExpiryToken is not { } token)
            return;
        await context.GetPayload<MessageSchedulerContext>().CancelScheduledSend(ServiceQueues.Address(ServiceQueues.Inventory), token);
        reservation.ExpiryToken = null;
    }

    /// <summary>
    /// Makes one movement of <paramref name="kind"/> per line of the reservation (<see cref="StockItem.Apply"/>: a release
    /// or expiry returns reserved units, a sale commits them, a restock puts sold units back on hand) and
    /// records it, in the caller's session (optimistic concurrency on each stock item). A product whose stock record is
    /// gone is skipped.
    /// </summary>
    public static async Task MoveUnits(IDocumentSession session, Reservation reservation, MovementKind kind, CancellationToken cancellationToken,
        string? reason = null)
    {
        var items = (await session.LoadManyAsync<StockItem>(cancellationToken, reservation.Lines.Select(l => l.ProductId))).ToDictionary(i => i.Id);
        foreach (var line in reservation.Lines)
        {
            if (!items.TryGetValue(line.ProductId, out var item))
                continue;
            item.Apply(kind, line.Quantity);
            session.Update(item);
            session.Insert(StockMovement.For(line.ProductId, kind, line.Quantity, reservation.Id, reason));
        }
    }
}
