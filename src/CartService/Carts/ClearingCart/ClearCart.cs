using System.Security.Claims;
using Shop.BuildingBlocks.Security;

namespace Shop.CartService.Carts.ClearingCart;

/// <summary>Every line was removed at once; the cart stays the customer's current cart.</summary>
public record CartCleared;

public static class ClearCartEndpoint
{
    /// <summary>DELETE /api/cart: empties the cart (204; an already empty cart records nothing).</summary>
    public static async Task<IResult> Handle(HttpContext http, ClaimsPrincipal user, CartWriter writer, CancellationToken cancellationToken)
    {
        if (!CartPrecondition.TryRead(http.Request, out var precondition))
            return CartResults.MalformedIfMatch();
        var result = await writer.Change(user.GetUserId(), precondition, attempt => Task.FromResult(CartRules.Clear(attempt.Cart)), cancellationToken);
        if (result.Answer is not null)
            return CartResults.Answer(result, http);
        http.Response.Headers.ETag = CartETag.For(result.Cart);
        return TypedResults.NoContent();
    }
}
