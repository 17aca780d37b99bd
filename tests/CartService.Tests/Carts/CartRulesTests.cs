using Shop.CartService.Carts;
using Shop.CartService.Carts.AddingItem;
using Shop.CartService.Carts.ChangingQuantity;
using Shop.CartService.Carts.CheckingOut;
using Shop.CartService.Carts.ClearingCart;
using Shop.CartService.Carts.RemovingItem;
using Shop.CartService.Catalog;
using Shop.Contracts;
using Xunit;

namespace Shop.CartService.Tests.Carts;

/// <summary>Every cart rule without a server: the decisions the HTTP slices run inside the cart writer.</summary>
public sealed class CartRulesTests
{
    static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    static CatalogProduct Product(decimal price = 10m, string currency = "EUR", bool active = true) => new()
    {
        Id = Guid.NewGuid(), Sku = "SKU-1", Name = "Mug", Price = price, Currency = currency, Active = active, ChangedAt = Now,
    };

    static Cart CartWith(params (CatalogProduct Product, int Quantity, decimal PriceWhenAdded)[] lines) => new()
    {
        Id = Guid.NewGuid(), CustomerId = Guid.NewGuid(), Status = CartStatus.Open,
        Lines = lines.Select(l => new CartLine(l.Product.Id, l.Product.Sku, l.Product.Name, l.PriceWhenAdded, l.Product.Currency, l.Quantity)).ToList(),
    };

    static void AssertRefused(CartDecision decision, CartRefusalKind kind, string containing)
    {
        Assert.Empty(decision.Events);
        Assert.NotNull(decision.Refusal);
        Assert.Equal(kind, decision.Refusal!.Kind);
        Assert.Contains(containing, decision.Refusal.Message);
    }

    [Fact]
    public void Adding_records_the_product_at_todays_price_and_refuses_what_a_cart_cannot_hold()
    {
        var mug = Product(12.5m);
        var added = Assert.IsType<ItemAdded>(Assert.Single(CartRules.AddItem(CartWith(), mug, 3).Events));
        Assert.Equal(new ItemAdded(mug.Id, mug.Sku, mug.Name, 12.5m, "EUR", 3), added);

        AssertRefused(CartRules.AddItem(CartWith(), Product(active: false), 1), CartRefusalKind.Unprocessable, "no longer sold");
        AssertRefused(CartRules.AddItem(CartWith((mug, 98, 12.5m)), mug, 2), CartRefusalKind.Unprocessable, $"at most {Cart.MaxQuantityPerLine} units");
        AssertRefused(CartRules.AddItem(CartWith((mug, 1, 12.5m)), Product(currency: "USD"), 1), CartRefusalKind.Unprocessable, "priced in EUR");
        var full = CartWith(Enumerable.Range(0, Cart.MaxLines).Select(_ => (Product(), 1, 10m)).ToArray());
        AssertRefused(CartRules.AddItem(full, Product(), 1), CartRefusalKind.Unprocessable, $"at most {Cart.MaxLines} different products");
        // A product already in a full cart still takes more units.
        Assert.Single(CartRules.AddItem(full, CatalogOf(full, 0), 1).Events);
    }

    static CatalogProduct CatalogOf(Cart cart, int line) => new()
    {
        Id = cart.Lines[line].ProductId, Sku = cart.Lines[line].Sku, Name = cart.Lines[line].Name, Price = 10m, Currency = "EUR", Active = true,
    };

    [Fact]
    public void Changing_a_quantity_sets_it_removes_at_zero_does_nothing_when_equal_and_refuses_more_of_a_product_no_longer_sold()
    {
        var mug = Product();
        var cart = CartWith((mug, 2, 10m));
        Assert.Equal(new ItemQuantityChanged(mug.Id, 5), Assert.Single(CartRules.ChangeQuantity(cart, mug.Id, 5, mug).Events));
        Assert.Equal(new ItemRemoved(mug.Id), Assert.Single(CartRules.ChangeQuantity(cart, mug.Id, 0, null).Events));
        var unchanged = CartRules.ChangeQuantity(cart, mug.Id, 2, null);
        Assert.Same(CartDecision.Unchanged, unchanged);
        AssertRefused(CartRules.ChangeQuantity(cart, Guid.NewGuid(), 1, null), CartRefusalKind.NotFound, "in the cart");

        var retired = Product(active: false);
        var withRetired = CartWith((retired, 3, 10m));
        Assert.True(CartRules.ChangeNeedsProduct(withRetired, retired.Id, 4));
        Assert.False(CartRules.ChangeNeedsProduct(withRetired, retired.Id, 1));
        AssertRefused(CartRules.ChangeQuantity(withRetired, retired.Id, 4, retired), CartRefusalKind.Unprocessable, "no longer sold");
        Assert.Single(CartRules.ChangeQuantity(withRetired, retired.Id, 1, null).Events);
    }

    [Fact]
    public void Removing_and_clearing()
    {
        var mug = Product();
        var cart = CartWith((mug, 1, 10m));
        Assert.Equal(new ItemRemoved(mug.Id), Assert.Single(CartRules.RemoveItem(cart, mug.Id).Events));
        AssertRefused(CartRules.RemoveItem(cart, Guid.NewGuid()), CartRefusalKind.NotFound, "in the cart");
        Assert.IsType<CartCleared>(Assert.Single(CartRules.Clear(cart).Events));
        Assert.Same(CartDecision.Unchanged, CartRules.Clear(CartWith()));
    }

    [Fact]
    public void Checkout_charges_todays_prices_names_the_lines_that_moved_and_refuses_an_empty_or_unsellable_cart()
    {
        var mug = Product(12m);
        var tea = Product(4m);
        var cart = CartWith((mug, 2, 10m), (tea, 3, 4m));
        var orderId = Guid.NewGuid();
        var address = new ShippingAddress("Ada", "1 Lane", null, "Town", "12345", "DE");
        var products = new Dictionary<Guid, CatalogProduct> { [mug.Id] = mug, [tea.Id] = tea };

        var checkedOut = Assert.IsType<CheckedOut>(Assert.Single(CartRules.Checkout(cart, products, "pm_card_visa", address, orderId, Now).Events));
        Assert.Equal((orderId, 36m, "EUR", "pm_card_visa", address, Now), (checkedOut.OrderId, checkedOut.Total, checkedOut.Currency,
            checkedOut.PaymentMethod, checkedOut.ShippingAddress, checkedOut.At));
        Assert.Equal([new OrderLine(mug.Id, mug.Sku, mug.Name, 12m, 2), new OrderLine(tea.Id, tea.Sku, tea.Name, 4m, 3)], checkedOut.Lines);
        Assert.Equal([new CheckoutPriceChange(mug.Id, 10m, 12m)], checkedOut.PriceChanges!);

        AssertRefused(CartRules.Checkout(CartWith(), products, "pm_card_visa", null, orderId, Now), CartRefusalKind.Conflict, "empty");
        AssertRefused(CartRules.Checkout(cart, new Dictionary<Guid, CatalogProduct> { [mug.Id] = mug }, "pm_card_visa", null, orderId, Now),
            CartRefusalKind.Unprocessable, "No longer sold: Mug");
        var repriced = Product(4m, "USD");
        repriced.Id = tea.Id;
        AssertRefused(CartRules.Checkout(cart, new Dictionary<Guid, CatalogProduct> { [mug.Id] = mug, [tea.Id] = repriced }, "pm_card_visa", null, orderId, Now),
            CartRefusalKind.Unprocessable, "different currencies");
    }
}
