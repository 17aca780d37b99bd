namespace Shop.Contracts.Catalog;

// Published by InventoryService; CartService keeps its local price replica from these. ChangedAt orders them: a
// replica ignores an event older than what it already holds (redeliveries can arrive out of order).

public record ProductCreated(
    Guid ProductId, string Sku, string Name, string Description, decimal Price, string Currency, string Category, string? ImageUrl,
    DateTimeOffset ChangedAt);

public record ProductUpdated(Guid ProductId, string Name, string Description, string Category, string? ImageUrl, DateTimeOffset ChangedAt);

public record ProductPriceChanged(Guid ProductId, decimal OldPrice, decimal NewPrice, string Currency, DateTimeOffset ChangedAt);

public record ProductDeactivated(Guid ProductId, DateTimeOffset ChangedAt);

public record ProductReactivated(Guid ProductId, DateTimeOffset ChangedAt);
