using JasperFx.Events;
using Shop.CartService.Carts.Abandoning;
using Shop.CartService.Carts.AddingItem;
using Shop.CartService.Carts.ChangingQuantity;
using Shop.CartService.Carts.CheckingOut;
using Shop.CartService.Carts.ClearingCart;
using Shop.CartService.Carts.RemovingItem;

namespace Shop.CartService.Carts;

/// <summary>Open: the customer's current cart. Abandoned: still current, but idle too long (any change reopens it). CheckedOut: closed.</summary>
public enum CartStatus { Open, Abandoned, CheckedOut }

/// <summary>A cart line; PriceWhenAdded is the unit price of the product's most recent add, what the customer last agreed to.</summary>
public record CartLine(Guid ProductId, string Sku, string Name, decimal PriceWhenAdded, string Currency, int Quantity);

/// <summary>
/// The cart aggregate: state is a left fold of the cart stream's events. Stored inline as a snapshot (the read model GET
/// serves and the abandoned-cart job queries); time travel folds the stream up to a version instead.
/// </summary>
public partial class Cart
{
    public const int MaxQuantityPerLine = 99;
    public const int MaxLines = 50;

    public Guid Id { get; set; }
    public Guid CustomerId { get; set; }
    public CartStatus Status { get; set; }
    public List<CartLine> Lines { get; set; } = [];
    public DateTimeOffset OpenedAt { get; set; }
    /// <summary>When the customer last changed the cart; the abandoned-cart job measures idleness from here.</summary>
    public DateTimeOffset LastActivityAt { get; set; }
    public DateTimeOffset? AbandonedAt { get; set; }
    public CheckedOut? Checkout { get; set; }
    /// <summary>The stream version of the CheckedOut event: a checkout retried against the version before it is the same checkout.</summary>
    public long? CheckedOutAtVersion { get; set; }
    public long Version { get; set; }

    public bool IsCurrent => Status != CartStatus.CheckedOut;
    public string Currency => Lines.FirstOrDefault()?.Currency ?? "";

    public CartLine? Line(Guid productId) => Lines.FirstOrDefault(l => l.ProductId == productId);

    public static Cart Create(CartOpened opened) => new()
    {
        Id = opened.CartId, CustomerId = opened.CustomerId, Status = CartStatus.Open, OpenedAt = opened.OpenedAt, LastActivityAt = opened.OpenedAt,
    };

    public void Apply(ItemAdded added, IEvent e)
    {
        var index = Lines.FindIndex(l => l.ProductId == added.ProductId);
        if (index < 0)
            Lines.Add(new CartLine(added.ProductId, added.Sku, added.Name, added.UnitPrice, added.Currency, added.Quantity));
        else
            Lines[index] = Lines[index] with
            {
                Quantity = Lines[index].Quantity + added.Quantity, PriceWhenAdded = added.UnitPrice, Name = added.Name,
            };
        Touched(e);
    }

    public void Apply(ItemQuantityChanged changed, IEvent e)
    {
        var index = Lines.FindIndex(l => l.ProductId == changed.ProductId);
        if (index >= 0)
            Lines[index] = Lines[index] with { Quantity = changed.Quantity };
        Touched(e);
    }

    public void Apply(ItemRemoved removed, IEvent e)
    {
        Lines.RemoveAll(l => l.ProductId == removed.ProductId);
        Touched(e);
    }

    public void Apply(CartCleared cleared, IEvent e)
    {
        Lines.Clear();
        Touched(e);
    }

    public void Apply(CartAbandoned abandoned, IEvent e)
    {
        Status = CartStatus.Abandoned;
        AbandonedAt = e.Timestamp;
    }

    public void Apply(CheckedOut checkedOut, IEvent e)
    {
        Status = CartStatus.CheckedOut;
        Checkout = checkedOut;
        CheckedOutAtVersion = e.Version;
        LastActivityAt = e.Timestamp;
    }

    void Touched(IEvent e)
    {
        LastActivityAt = e.Timestamp;
        Status = CartStatus.Open;
        AbandonedAt = null;
    }
}

/// <summary>Which cart is the customer's current one (Id = customer id). Removed at checkout, so the next change opens a new cart.</summary>
public class ActiveCart
{
    public Guid Id { get; set; }
    public Guid CartId { get; set; }
}

public record CartOpened(Guid CartId, Guid CustomerId, DateTimeOffset OpenedAt);
