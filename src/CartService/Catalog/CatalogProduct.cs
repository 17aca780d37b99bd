namespace Shop.CartService.Catalog;

/// <summary>
/// The cart's own replica of a catalog product, kept from InventoryService's product events (and reconciled from its
/// API). Carts keep working — add, view, price — while InventoryService is down.
/// </summary>
public class CatalogProduct
{
    public Guid Id { get; set; }
    public string Sku { get; set; } = "";
    public string Name { get; set; } = "";
    public decimal Price { get; set; }
    public string Currency { get; set; } = "";
    public bool Active { get; set; }
    /// <summary>When InventoryService last changed the product; older news is ignored.</summary>
    public DateTimeOffset ChangedAt { get; set; }
}
