namespace Shop.InventoryService.Catalog;

/// <summary>A catalog entry. Stock lives separately in <see cref="Stock.StockItem"/> so price edits never contend with reservations.</summary>
public class Product
{
    public Guid Id { get; set; }
    public string Sku { get; set; } = "";
    public string Name { get; set; } = "";
    public string Description { get; set; } = "";
    public decimal Price { get; set; }
    public string Currency { get; set; } = "EUR";
    public string Category { get; set; } = "";
    public string? ImageUrl { get; set; }
    public bool Active { get; set; } = true;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public record ProductResponse(
    Guid Id, string Sku, string Name, string Description, decimal Price, string Currency, string Category, string? ImageUrl,
    bool Active, int Available, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static ProductResponse From(Product p, int available) =>
        new(p.Id, p.Sku, p.Name, p.Description, p.Price, p.Currency, p.Category, p.ImageUrl, p.Active, available, p.CreatedAt, p.UpdatedAt);
}
