namespace Shop.Contracts.Inventory;

/// <summary>
/// Published by InventoryService when an order's reservation was neither committed nor released within the configured
/// hold time: its units are available again, and a later CommitStock for the order sells them only if they are still
/// available (otherwise StockCommitFailed).
/// </summary>
public record StockReservationExpired(Guid OrderId, DateTimeOffset ExpiredAt);
