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
