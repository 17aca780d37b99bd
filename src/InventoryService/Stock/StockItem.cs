namespace Shop.InventoryService.Stock;

/// <summary>
/// Stock of one product (Id = product id). OnHand counts units in the warehouse, Reserved the part promised to orders
/// in checkout. Written with optimistic concurrency: two instances reserving the same product at once cannot both win
/// with stale numbers; the loser is retried on fresh state, so stock is never oversold.
/// </summary>
public class StockItem
{
    public Guid Id { get; set; }
    public int OnHand { get; set; }
    public int Reserved { get; set; }
    public int Sold { get; set; }

    public int Available => OnHand - Reserved;

    /// <summary>
    /// What one movement does to the counters: the one definition, used where a movement is made (reservations, commits,
    /// releases, restocks) and where the stock history replays the movements (StockHistorySource).
    /// </summary>
    public void Apply(MovementKind kind, int quantity)
    {
        switch (kind)
        {
            // An adjustment's quantity is signed: which way on-hand moved.
            case MovementKind.Received or MovementKind.Adjusted: OnHand += quantity; break;
            case MovementKind.Reserved: Reserved += quantity; break;
            case MovementKind.Released or MovementKind.Expired: Reserved -= quantity; break;
            case MovementKind.Sold:
                Reserved -= quantity;
                OnHand -= quantity;
                Sold += quantity;
                break;
            case MovementKind.Restocked:
                OnHand += quantity;
                Sold -= quantity;
                break;
        }
    }
}

/// <summary>Restocked: sold units of a refunded order back on hand.</summary>
public enum MovementKind { Received, Reserved, Released, Sold, Expired, Adjusted, Restocked }

/// <summary>
/// One change of a product's stock, kept for the admin stock view and audits. Quantity is positive except for an
/// adjustment, where its sign says which way on-hand moved.
/// </summary>
public class StockMovement
{
    public Guid Id { get; set; }
    public Guid ProductId { get; set; }
    public MovementKind Kind { get; set; }
    public int Quantity { get; set; }
    public Guid? OrderId { get; set; }
    public string? Reason { get; set; }
    public DateTimeOffset At { get; set; }

    public static StockMovement For(Guid productId, MovementKind kind, int quantity, Guid? orderId, string? reason = null) =>
        new()
        {
            Id = Guid.CreateVersion7(), ProductId = productId, Kind = kind, Quantity = quantity, OrderId = orderId, Reason = reason,
            At = DateTimeOffset.UtcNow,
        };
}
