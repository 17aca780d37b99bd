using Marten;
using MassTransit;
using Shop.Contracts.Inventory;

namespace Shop.InventoryService.Stock.Expiring;

/// <summary>
/// InventoryService's message to itself, scheduled when a reservation is made and due when its hold ends. The durable
/// scheduler keeps it in PostgreSQL until then, so it survives restarts, and whichever instance's relay claims it first
/// sends it (rows are claimed with SKIP LOCKED).
/// </summary>
public record ExpireReservation(Guid OrderId);

/// <summary>Gives a reservation's units back when its hold ends before the order committed or released it.</summary>
public sealed class ExpireReservationConsumer(IDocumentSession session) : IConsumer<ExpireReservation>
{
    public async Task Consume(ConsumeContext<ExpireReservation> context)
    {
        var reservation = await session.LoadAsync<Reservation>(context.Message.OrderId, context.CancellationToken);
        // Committed, released or already expired: nothing is held any more, so the timer has nothing to do.
        if (reservation is not { Status: ReservationStatus.Reserved })
            return;

        await ReservationLedger.MoveUnits(session, reservation, MovementKind.Expired, context.CancellationToken);
        var expiredAt = ReservationLedger.Close(session, reservation, ReservationStatus.Expired);
        await context.Publish(new StockReservationExpired(reservation.Id, expiredAt));
    }
}
