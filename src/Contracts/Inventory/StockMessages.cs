namespace Shop.Contracts.Inventory;

public record StockLine(Guid ProductId, int Quantity);

// Commands, sent to InventoryService's queue.

/// <summary>Reserve every line or none. Idempotent by OrderId.</summary>
public record ReserveStock(Guid OrderId, IReadOnlyList<StockLine> Lines);

public record ReleaseStock(Guid OrderId, string Reason);

/// <summary>
/// Turns the order's reservation into sold stock. The order saga sends it when it confirms the order (the payment is
/// captured and the reservation held), with <paramref name="ReplyWhenCommitted"/> false: only a commit that fails is
/// answered (StockCommitFailed), so a normal checkout costs no reply. True (the default, and what a message from before
/// that change carries) answers StockCommitted too, for an order still waiting in the saga's Confirming state.
/// </summary>
public record CommitStock(Guid OrderId, bool ReplyWhenCommitted = true);

/// <summary>
/// Puts an order's sold units back on hand (the order was refunded before shipping, or its goods came back).
/// Idempotent by OrderId: a second one restocks nothing and answers StockRestocked again.
/// </summary>
public record RestockOrder(Guid OrderId, string Reason);

// Events, published by InventoryService.

public record StockReserved(Guid OrderId, DateTimeOffset ExpiresAt);

public record StockReservationFailed(Guid OrderId, string Reason, IReadOnlyList<Guid> UnavailableProductIds);

public record StockReleased(Guid OrderId);

public record StockCommitted(Guid OrderId);

public record StockCommitFailed(Guid OrderId, string Reason);

public record StockRestocked(Guid OrderId, DateTimeOffset RestockedAt);

/// <summary>Nothing of this order was sold (no committed reservation), so nothing can go back.</summary>
public record StockRestockFailed(Guid OrderId, string Reason);
