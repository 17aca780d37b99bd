using Shop.BuildingBlocks.Http;
using Shop.CartService.Carts.AddingItem;
using Shop.CartService.Carts.ChangingQuantity;
using Shop.CartService.Carts.CheckingOut;
using Shop.CartService.Carts.ClearingCart;
using Shop.CartService.Carts.RemovingItem;
using Shop.CartService.Catalog;
using Shop.Contracts;

namespace Shop.CartService.Carts;

public enum CartRefusalKind { NotFound, Unprocessable, Conflict }

/// <summary>Why a cart change is refused, in the shopper's words; the HTTP slice turns it into ProblemDetails.</summary>
public sealed record CartRefusal(CartRefusalKind Kind, string Message)
{
    public IResult ToProblem() => Kind switch
    {
        CartRefusalKind.NotFound => Problems.NotFound(Message),
        CartRefusalKind.Conflict => Problems.Conflict(Message),
        _ => Problems.Unprocessable(Message),
    };
}

/// <summary>
/// Every rule of a cart change, as pure functions of the cart and what the slice read (catalog entries, the clock, new
/// ids): events to append, nothing, or a refusal. No session, no HTTP, no broker: the unit tests call them directly;
/// the slices read, call one of these inside <see cref="CartWriter"/>, and answer.
/// </summary>
public static class CartRules
{
    public static CartDecision AddItem(Cart cart, CatalogProduct product, int quantity)
    {
        if (!product.Active)
            return Refuse(CartRefusalKind.Unprocessable, "The product is no longer sold.");
        var line = cart.Line(product.Id);
        if (line is null && cart.Lines.Count >= Cart.MaxLines)
            return Refuse(CartRefusalKind.Unprocessable, $"A cart holds at most {Cart.MaxLines} different products.");
        if (cart.Lines.Count > 0 && cart.Currency != product.Currency)
            return Refuse(CartRefusalKind.Unprocessable, $"The cart is priced in {cart.Currency}; {product.Name} is sold in {product.Currency}.");
        if ((line?.Quantity ?? 0) + quantity > Cart.MaxQuantityPerLine)
            return Refuse(CartRefusalKind.Unprocessable,
                $"A line holds at most {Cart.MaxQuantityPerLine} units; the cart already has {line?.Quantity ?? 0}.");
        return CartDecision.Append(new ItemAdded(product.Id, product.Sku, product.Name, product.Price, product.Currency, quantity));
    }

    /// <summary>Whether <see cref="ChangeQuantity"/> needs the product's catalog entry: only to add units (of a product still sold).</summary>
    public static bool ChangeNeedsProduct(Cart cart, Guid productId, int quantity) => cart.Line(productId) is { } line && quantity > line.Quantity;

    /// <param name="product">The catalog entry, when <see cref="ChangeNeedsProduct"/> asked for it (null if unknown).</param>
    public static CartDecision ChangeQuantity(Cart cart, Guid productId, int quantity, CatalogProduct? product)
    {
        var line = cart.Line(productId);
        if (line is null)
            return Refuse(CartRefusalKind.NotFound, "The product in the cart");
        if (quantity == line.Quantity)
            return CartDecision.Unchanged;
        if (quantity == 0)
            return CartDecision.Append(new ItemRemoved(productId));
        // Fewer units of a product no longer sold are fine; more are not.
        if (quantity > line.Quantity && product is { Active: false })
            return Refuse(CartRefusalKind.Unprocessable, "The product is no longer sold.");
        return CartDecision.Append(new ItemQuantityChanged(productId, quantity));
    }

    public static CartDecision RemoveItem(Cart cart, Guid productId) =>
        cart.Line(productId) is null
            ? Refuse(CartRefusalKind.NotFound, "The product in the cart")
            : CartDecision.Append(new ItemRemoved(productId));

    public static CartDecision Clear(Cart cart) => cart.Lines.Count == 0 ? CartDecision.Unchanged : CartDecision.Append(new CartCleared());

    /// <summary>
    /// Closes the cart at today's prices (<paramref name="products"/>: the catalog entries of its lines): refused when it
    /// is empty, when a product is no longer sold or when their currencies no longer agree; otherwise one
    /// <see cref="CheckedOut"/> that names every line whose price moved since it was added.
    /// </summary>
    public static CartDecision Checkout(Cart cart, IReadOnlyDictionary<Guid, CatalogProduct> products, string paymentMethod,
        ShippingAddress? shipping, Guid orderId, DateTimeOffset now)
    {
        if (cart.Lines.Count == 0)
            return Refuse(CartRefusalKind.Conflict, "The cart is empty.");
        var unavailable = cart.Lines.Where(l => !products.TryGetValue(l.ProductId, out var p) || !p.Active).Select(l => l.Name).ToList();
        if (unavailable.Count > 0)
            return Refuse(CartRefusalKind.Unprocessable, $"No longer sold: {string.Join(", ", unavailable)}. Remove them to check out.");
        if (cart.Lines.Any(l => products[l.ProductId].Currency != cart.Currency))
            return Refuse(CartRefusalKind.Unprocessable, "The cart's products are now priced in different currencies.");

        var lines = cart.Lines.Select(l => new OrderLine(l.ProductId, l.Sku, products[l.ProductId].Name, products[l.ProductId].Price, l.Quantity)).ToList();
        var changes = cart.Lines.Where(l => products[l.ProductId].Price != l.PriceWhenAdded)
            .Select(l => new CheckoutPriceChange(l.ProductId, l.PriceWhenAdded, products[l.ProductId].Price)).ToList();
        var total = lines.Sum(l => l.UnitPrice * l.Quantity);
        return CartDecision.Append(new CheckedOut(orderId, lines, total, cart.Currency, paymentMethod, now, shipping, changes));
    }

    static CartDecision Refuse(CartRefusalKind kind, string message) => CartDecision.Refuse(new CartRefusal(kind, message));
}
