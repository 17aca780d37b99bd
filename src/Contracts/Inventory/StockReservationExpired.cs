namespace Shop.Contracts.Inventory;

/// <summary>
/// Published by InventoryService when an order's reservation was neither committed nor released within the configured
/// hold time: its units are available again, and a later CommitStock for the order fails with StockCommitFailed.
/// </summary>
public record StockReservationExpired(Guid OrderId, DateTimeOffset ExpiredAt);
