using Marten;
using MassTransit;
using Shop.Contracts.Inventory;

namespace Shop.InventoryService.Stock.Committing;

/// <summary>
/// Turns an order's reservation into sold units once the order is confirmed. The saga confirms without waiting for this
/// (the reservation is held for far longer than a payment may take), so the rare commit that comes after the hold ran out
/// still sells the units if they are available; only when they are not does the order hear of it (StockCommitFailed),
/// and the saga refunds it.
/// </summary>
public sealed class CommitStockConsumer(IDocumentSession session) : IConsumer<CommitStock>
{
    public async Task Consume(ConsumeContext<CommitStock> context)
    {
        var command = context.Message;
        var reservation = await session.LoadAsync<Reservation>(command.OrderId, context.CancellationToken);

        switch (reservation?.Status)
        {
            case ReservationStatus.Committed:
                await Committed(context);
                return;
            case ReservationStatus.Reserved:
                await ReservationLedger.MoveUnits(session, reservation, MovementKind.Sold, context.CancellationToken);
                await ReservationLedger.CancelExpiry(context, reservation);
                ReservationLedger.Close(session, reservation, ReservationStatus.Committed);
                await Committed(context);
                return;
            case ReservationStatus.Expired when await ReservationLedger.TrySellExpired(session, reservation, context.CancellationToken):
                ReservationLedger.Close(session, reservation, ReservationStatus.Committed);
                await Committed(context);
                return;
            default:
                await context.Publish(new StockCommitFailed(command.OrderId, reservation is null ? "NoReservation" : $"Reservation{reservation.Status}"));
                return;
        }
    }

    static Task Committed(ConsumeContext<CommitStock> context) =>
        context.Message.ReplyWhenCommitted ? context.Publish(new StockCommitted(context.Message.OrderId)) : Task.CompletedTask;
}
