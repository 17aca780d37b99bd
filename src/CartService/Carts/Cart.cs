using Shop.CartService.Carts.AddingItem;
using Shop.CartService.Carts.CheckingOut;

namespace Shop.CartService.Carts;

public enum CartStatus { Open, CheckedOut }

public record CartLine(Guid ProductId, string Sku, string Name, decimal PriceWhenAdded, string Currency, int Quantity);

/// <summary>The cart aggregate: state is a left fold of the cart stream's events.</summary>
public partial class Cart
{
    public const int MaxQuantityPerLine = 99;
    public const int MaxLines = 50;

    public Guid Id { get; set; }
    public Guid CustomerId { get; set; }
    public CartStatus Status { get; set; }
    public List<CartLine> Lines { get; set; } = [];
    public Guid? OrderId { get; set; }
    public long Version { get; set; }

    public static Cart Create(CartOpened opened) => new() { Id = opened.CartId, CustomerId = opened.CustomerId, Status = CartStatus.Open };

    public void Apply(ItemAdded added)
    {
        var index = Lines.FindIndex(l => l.ProductId == added.ProductId);
        if (index < 0)
            Lines.Add(new CartLine(added.ProductId, added.Sku, added.Name, added.UnitPrice, added.Currency, added.Quantity));
        else
            Lines[index] = Lines[index] with { Quantity = Lines[index].Quantity + added.Quantity };
    }

    public void Apply(CheckedOut checkedOut)
    {
        Status = CartStatus.CheckedOut;
        OrderId = checkedOut.OrderId;
    }
}

/// <summary>Which cart is the customer's current one (Id = customer id). Removed at checkout, so the next add opens a new cart.</summary>
public class ActiveCart
{
    public Guid Id { get; set; }
    public Guid CartId { get; set; }
}

public record CartOpened(Guid CartId, Guid CustomerId, DateTimeOffset OpenedAt);
