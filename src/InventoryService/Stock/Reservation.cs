using Shop.Contracts.Inventory;

namespace Shop.InventoryService.Stock;

/// <summary>Restocked: the order was refunded and its units went back (sold units on hand, units still reserved released).</summary>
public enum ReservationStatus { Reserved, Refused, Released, Committed, Expired, Restocked }

/// <summary>
/// What an order holds (Id = order id). The natural key makes ReserveStock idempotent: a redelivered command finds the
/// reservation and repeats its outcome instead of reserving again.
/// </summary>
public class Reservation
{
    public Guid Id { get; set; }
    public List<StockLine> Lines { get; set; } = [];
    public ReservationStatus Status { get; set; }
    public List<Guid> UnavailableProductIds { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }

    /// <summary>The scheduling token of the pending <c>ExpireReservation</c>: committing or releasing unschedules it.</summary>
    public Guid? ExpiryToken { get; set; }
}
