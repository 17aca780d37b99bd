using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Marten;
using Shop.BuildingBlocks.Http;
using Shop.BuildingBlocks.Security;
using Shop.CartService.Catalog;

namespace Shop.CartService.Carts.AddingItem;

public record ItemAdded(Guid ProductId, string Sku, string Name, decimal UnitPrice, string Currency, int Quantity);

public record AddItemRequest([Required] Guid? ProductId, [Required, Range(1, Cart.MaxQuantityPerLine)] int? Quantity);

public static class AddItemEndpoint
{
    /// <summary>POST /api/cart/items: adds units of a product; a product already in the cart gets the units added to its line.</summary>
    public static async Task<IResult> Handle(AddItemRequest request, HttpContext http, ClaimsPrincipal user, IQuerySession query,
        InventoryCatalogClient inventory, CartWriter writer, CancellationToken cancellationToken)
    {
        if (!CartPrecondition.TryRead(http.Request, out var precondition))
            return CartResults.MalformedIfMatch();
        var quantity = request.Quantity!.Value;

        var lookup = await ReplicaLookup.Find(query, inventory, request.ProductId!.Value, cancellationToken);
        if (lookup.CatalogUnavailable)
            return CartResults.CatalogUnavailable();
        if (lookup.Product is not { } product)
            return Problems.NotFound("The product");
        if (!product.Active)
            return Problems.Unprocessable("The product is no longer sold.");

        var result = await writer.Change(user.GetUserId(), precondition, attempt =>
        {
            if (lookup.FetchedFromInventory)
                attempt.Session.Store(product);
            var cart = attempt.Cart;
            var line = cart.Line(product.Id);
            if (line is null && cart.Lines.Count >= Cart.MaxLines)
                return Task.FromResult(CartDecision.Respond(Problems.Unprocessable($"A cart holds at most {Cart.MaxLines} different products.")));
            if (cart.Lines.Count > 0 && cart.Currency != product.Currency)
                return Task.FromResult(CartDecision.Respond(Problems.Unprocessable(
                    $"The cart is priced in {cart.Currency}; {product.Name} is sold in {product.Currency}.")));
            if ((line?.Quantity ?? 0) + quantity > Cart.MaxQuantityPerLine)
                return Task.FromResult(CartDecision.Respond(Problems.Unprocessable(
                    $"A line holds at most {Cart.MaxQuantityPerLine} units; the cart already has {line?.Quantity ?? 0}.")));
            return Task.FromResult(CartDecision.Append(new ItemAdded(product.Id, product.Sku, product.Name, product.Price, product.Currency, quantity)));
        }, cancellationToken);
        return await CartResults.Changed(result, http, query, cancellationToken);
    }
}
