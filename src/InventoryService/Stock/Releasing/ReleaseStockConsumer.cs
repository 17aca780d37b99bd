using Marten;
using MassTransit;
using Shop.Contracts.Inventory;

namespace Shop.InventoryService.Stock.Releasing;

/// <summary>Gives an order's reserved units back. Releasing an unknown order leaves a tombstone so a late ReserveStock reserves nothing.</summary>
public sealed class ReleaseStockConsumer(IDocumentSession session) : IConsumer<ReleaseStock>
{
    public async Task Consume(ConsumeContext<ReleaseStock> context)
    {
        var orderId = context.Message.OrderId;
        var reservation = await session.LoadAsync<Reservation>(orderId, context.CancellationToken);

        if (reservation is null)
        {
            var now = DateTimeOffset.UtcNow;
            session.Insert(new Reservation { Id = orderId, Status = ReservationStatus.Released, CreatedAt = now, ExpiresAt = now, ClosedAt = now });
        }
        else if (reservation.Status == ReservationStatus.Reserved)
        {
            await ReservationLedger.MoveUnits(session, reservation, MovementKind.Released, context.CancellationToken);
            await ReservationLedger.CancelExpiry(context, reservation);
            ReservationLedger.Close(session, reservation, ReservationStatus.Released);
        }

        await context.Publish(new StockReleased(orderId));
    }
}
