using Marten;
using MassTransit;
using Shop.Contracts.Inventory;

namespace Shop.InventoryService.Stock.Restocking;

/// <summary>
/// Puts a refunded order's units back: the compensation of <c>CommitStock</c>, run by the order saga once the refund of an
/// order that never shipped (a cancel) or came back (a return) went through. Sold units go back on hand. The saga confirms
/// an order without waiting for its commit, so a refund can overtake the commit: then the still reserved units are
/// released (or, expired already, stay free), and the reservation is closed all the same, so the commit that comes later
/// sells nothing. The reservation remembers the lines and that they went back, so a repeated command moves nothing and
/// answers the same.
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
                await ReservationLedger.MoveUnits(session, reservation, MovementKind.Restocked, context.CancellationToken, context.Message.Reason);
                await Close(context, reservation);
                return;
            case ReservationStatus.Reserved:
                await ReservationLedger.MoveUnits(session, reservation, MovementKind.Released, context.CancellationToken, context.Message.Reason);
                await ReservationLedger.CancelExpiry(context, reservation);
                await Close(context, reservation);
                return;
            case ReservationStatus.Expired:
                await Close(context, reservation);
                return;
            default:
                await context.Publish(new StockRestockFailed(orderId, reservation is null ? "NoReservation" : $"Reservation{reservation.Status}"));
                return;
        }
    }

    Task Close(ConsumeContext<RestockOrder> context, Reservation reservation) =>
        context.Publish(new StockRestocked(reservation.Id, ReservationLedger.Close(session, reservation, ReservationStatus.Restocked)));
}
