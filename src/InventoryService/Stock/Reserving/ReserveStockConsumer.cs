using Marten;
using MassTransit;
using Microsoft.Extensions.Options;
using Shop.BuildingBlocks.Messaging;
using Shop.Contracts.Inventory;
using Shop.InventoryService.Stock.Expiring;

namespace Shop.InventoryService.Stock.Reserving;

public sealed class ReservationOptions
{
    /// <summary>How long reserved stock is held for an order that is neither committed nor released.</summary>
    public TimeSpan Hold { get; set; } = TimeSpan.FromMinutes(15);
}

/// <summary>Reserves every line of an order or none of them.</summary>
public sealed class ReserveStockConsumer(IDocumentSession session, IOptions<ReservationOptions> options) : IConsumer<ReserveStock>
{
    public const string OutOfStock = "OutOfStock";

    public async Task Consume(ConsumeContext<ReserveStock> context)
    {
        var command = context.Message;
        var existing = await session.LoadAsync<Reservation>(command.OrderId, context.CancellationToken);
        if (existing is not null)
        {
            await RepeatOutcome(context, existing);
            return;
        }

        // The same product on two lines is one demand.
        var demand = command.Lines.GroupBy(l => l.ProductId).ToDictionary(g => g.Key, g => g.Sum(l => l.Quantity));
        var items = (await session.LoadManyAsync<StockItem>(context.CancellationToken, demand.Keys)).ToDictionary(i => i.Id);
        var activeProducts = (await session.LoadManyAsync<Catalog.Product>(context.CancellationToken, demand.Keys))
            .Where(p => p.Active).Select(p => p.Id).ToHashSet();

        var unavailable = demand
            .Where(d => d.Value <= 0 || !activeProducts.Contains(d.Key) || !items.TryGetValue(d.Key, out var item) || item.Available < d.Value)
            .Select(d => d.Key)
            .ToList();

        var now = DateTimeOffset.UtcNow;
        var reservation = new Reservation
        {
            Id = command.OrderId,
            Lines = demand.Select(d => new StockLine(d.Key, d.Value)).ToList(),
            CreatedAt = now,
            ExpiresAt = now + options.Value.Hold,
        };

        if (unavailable.Count > 0)
        {
            reservation.Status = ReservationStatus.Refused;
            reservation.UnavailableProductIds = unavailable;
            reservation.ClosedAt = now;
        }
        else
        {
            reservation.Status = ReservationStatus.Reserved;
            foreach (var (productId, quantity) in demand)
            {
                var item = items[productId];
                item.Apply(MovementKind.Reserved, quantity);
                session.Update(item);
                session.Insert(StockMovement.For(productId, MovementKind.Reserved, quantity, command.OrderId));
            }
        }

        if (reservation.Status == ReservationStatus.Reserved)
        {
            // An outbox row with a due time, in this transaction: the timer exists only if this reservation commits.
            var expiry = await context.ScheduleSend(ServiceQueues.Address(ServiceQueues.Inventory), reservation.ExpiresAt.UtcDateTime,
                new ExpireReservation(reservation.Id));
            reservation.ExpiryToken = expiry.TokenId;
        }
        // Insert: a concurrent copy of this command fails here and, retried, repeats this outcome.
        session.Insert(reservation);
        await RepeatOutcome(context, reservation);
    }

    static Task RepeatOutcome(ConsumeContext context, Reservation reservation) => reservation.Status switch
    {
        ReservationStatus.Refused => context.Publish(new StockReservationFailed(reservation.Id, OutOfStock, reservation.UnavailableProductIds)),
        ReservationStatus.Reserved or ReservationStatus.Committed => context.Publish(new StockReserved(reservation.Id, reservation.ExpiresAt)),
        // Released or expired before this (late or duplicate) command arrived: nothing is held for the order.
        _ => context.Publish(new StockReservationFailed(reservation.Id, $"Reservation{reservation.Status}", [])),
    };
}
