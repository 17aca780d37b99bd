using Marten;
using MassTransit;
using Shop.BuildingBlocks.Messaging;
using Shop.Contracts.Inventory;

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

    /// <summary>The reservation is done with (<paramref name="status"/>): closed now and written in the caller's session.</summary>
    /// <returns>When it was closed.</returns>
    public static DateTimeOffset Close(IDocumentSession session, Reservation reservation, ReservationStatus status)
    {
        reservation.Status = status;
        reservation.ClosedAt = DateTimeOffset.UtcNow;
        session.Update(reservation);
        return reservation.ClosedAt.Value;
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
        var items = await Items(session, reservation, cancellationToken);
        foreach (var line in reservation.Lines)
            if (items.TryGetValue(line.ProductId, out var item))
            {
                Move(session, reservation, item, line, kind, reason);
                session.Update(item);
            }
    }

    /// <summary>
    /// Sells an expired reservation's units after all, if every line is still available: the units are reserved again and
    /// sold (both movements recorded), in the caller's session. False, and nothing changed, when any line falls short.
    /// </summary>
    public static async Task<bool> TrySellExpired(IDocumentSession session, Reservation reservation, CancellationToken cancellationToken)
    {
        var items = await Items(session, reservation, cancellationToken);
        if (reservation.Lines.Any(l => !items.TryGetValue(l.ProductId, out var item) || item.Available < l.Quantity))
            return false;
        foreach (var line in reservation.Lines)
        {
            var item = items[line.ProductId];
            Move(session, reservation, item, line, MovementKind.Reserved, "ExpiredBeforeCommit");
            Move(session, reservation, item, line, MovementKind.Sold, null);
            session.Update(item);
        }
        return true;
    }

    static async Task<Dictionary<Guid, StockItem>> Items(IDocumentSession session, Reservation reservation, CancellationToken cancellationToken) =>
        (await session.LoadManyAsync<StockItem>(cancellationToken, reservation.Lines.Select(l => l.ProductId))).ToDictionary(i => i.Id);

    static void Move(IDocumentSession session, Reservation reservation, StockItem item, StockLine line, MovementKind kind,
        string? reason)
    {
        item.Apply(kind, line.Quantity);
        session.Insert(StockMovement.For(line.ProductId, kind, line.Quantity, reservation.Id, reason));
    }
}
