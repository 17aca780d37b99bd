using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Marten;
using Shop.BuildingBlocks.Http;
using Shop.BuildingBlocks.Security;
using Shop.CartService.Carts.RemovingItem;
using Shop.CartService.Catalog;

namespace Shop.CartService.Carts.ChangingQuantity;

/// <summary>The line now holds Quantity units (1..99); a change to 0 is recorded as <see cref="ItemRemoved"/>.</summary>
public record ItemQuantityChanged(Guid ProductId, int Quantity);

public record ChangeQuantityRequest([Required, Range(0, Cart.MaxQuantityPerLine)] int? Quantity);

public static class ChangeQuantityEndpoint
{
    /// <summary>PUT /api/cart/items/{productId}: sets the line's quantity; 0 removes the line.</summary>
    public static async Task<IResult> Handle(Guid productId, ChangeQuantityRequest request, HttpContext http, ClaimsPrincipal user,
        IQuerySession query, CartWriter writer, CancellationToken cancellationToken)
    {
        if (!CartPrecondition.TryRead(http.Request, out var precondition))
            return CartResults.MalformedIfMatch();
        var quantity = request.Quantity!.Value;

        var result = await writer.Change(user.GetUserId(), precondition, async attempt =>
        {
            var product = CartRules.ChangeNeedsProduct(attempt.Cart, productId, quantity)
                ? await attempt.Session.LoadAsync<CatalogProduct>(productId, cancellationToken)
                : null;
            return CartRules.ChangeQuantity(attempt.Cart, productId, quantity, product);
        }, cancellationToken);
        return await CartResults.Changed(result, http, query, cancellationToken);
    }
}
