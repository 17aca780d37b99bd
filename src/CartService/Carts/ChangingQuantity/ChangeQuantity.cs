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
            var line = attempt.Cart.Line(productId);
            if (line is null)
                return CartDecision.Respond(Problems.NotFound("The product in the cart"));
            if (quantity == line.Quantity)
                return CartDecision.Unchanged;
            if (quantity == 0)
                return CartDecision.Append(new ItemRemoved(productId));
            if (quantity > line.Quantity)
            {
                // Fewer units of a product no longer sold are fine; more are not.
                var product = await attempt.Session.LoadAsync<CatalogProduct>(productId, cancellationToken);
                if (product is { Active: false })
                    return CartDecision.Respond(Problems.Unprocessable("The product is no longer sold."));
            }
            return CartDecision.Append(new ItemQuantityChanged(productId, quantity));
        }, cancellationToken);
        return await CartResults.Changed(result, http, query, cancellationToken);
    }
}
