using Marten;
using MassTransit;
using Shop.Contracts.Inventory;

namespace Shop.InventoryService.Stock.Restocking;

/// <summary>
/// Puts a refunded order's sold units back on hand: the compensation of <c>CommitStock</c>, run by the order saga once the
/// refund of an order that never shipped (a cancel) or came back (a return) went through. The reservation remembers the
/// lines and whether they were restocked already, so a repeated command restocks nothing and answers the same.
/// </summary>
public sealed class RestockOrderConsumer(IDocumentSession session) : IConsumer<RestockOrder>
{
    public async Task Consume(ConsumeContext<RestockOrder> context)
    {
        var orderId = context.Message.OrderId;
        var reservation = await session.LoadAsync<Reservation>(orderId, context.CancellationToken);

        switch (reservation?.Status)
        {
            case ReservationStatus.Restocked:
                await context.Publish(new StockRestocked(orderId, reservation.ClosedAt ?? DateTimeOffset.UtcNow));
                return;
            case ReservationStatus.Committed:
                var now = DateTimeOffset.UtcNow;
                await ReservationLedger.MoveUnits(session, reservation, MovementKind.Restocked, context.CancellationToken, context.Message.Reason);

                reservation.Status = ReservationStatus.Restocked;
                reservation.ClosedAt = now;
                session.Update(reservation);
                await context.Publish(new StockRestocked(orderId, now));
                return;
            default:
                await context.Publish(new StockRestockFailed(orderId, reservation is null ? "NoReservation" : $"Reservation{reservation.Status}"));
                return;
        }
    }
}
