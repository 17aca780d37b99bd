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

        var result = await writer.Change(user.GetUserId(), precondition, attempt =>
        {
            if (lookup.FetchedFromInventory)
                attempt.Session.Store(product);
            return Task.FromResult(CartRules.AddItem(attempt.Cart, product, quantity));
        }, cancellationToken);
        return await CartResults.Changed(result, http, query, cancellationToken);
    }
}
