using Marten;
using MassTransit;
using Shop.Contracts.Inventory;

namespace Shop.InventoryService.Stock.Committing;

/// <summary>Turns an order's reservation into sold units when the order is confirmed.</summary>
public sealed class CommitStockConsumer(IDocumentSession session) : IConsumer<CommitStock>
{
    public async Task Consume(ConsumeContext<CommitStock> context)
    {
        var orderId = context.Message.OrderId;
        var reservation = await session.LoadAsync<Reservation>(orderId, context.CancellationToken);

        switch (reservation?.Status)
        {
            case ReservationStatus.Committed:
                await context.Publish(new StockCommitted(orderId));
                return;
            case ReservationStatus.Reserved:
                await ReservationLedger.MoveUnits(session, reservation, MovementKind.Sold, context.CancellationToken);

                reservation.Status = ReservationStatus.Committed;
                reservation.ClosedAt = DateTimeOffset.UtcNow;
                await ReservationLedger.CancelExpiry(context, reservation);
                session.Update(reservation);
                await context.Publish(new StockCommitted(orderId));
                return;
            default:
                await context.Publish(new StockCommitFailed(orderId, reservation is null ? "NoReservation" : $"Reservation{reservation.Status}"));
                return;
        }
    }
}
