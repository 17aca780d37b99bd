using System.Security.Claims;
using Marten;
using Shop.BuildingBlocks.Http;
using Shop.BuildingBlocks.Security;

namespace Shop.CartService.Carts.RemovingItem;

public record ItemRemoved(Guid ProductId);

public static class RemoveItemEndpoint
{
    /// <summary>DELETE /api/cart/items/{productId}: removes the line.</summary>
    public static async Task<IResult> Handle(Guid productId, HttpContext http, ClaimsPrincipal user, IQuerySession query, CartWriter writer,
        CancellationToken cancellationToken)
    {
        if (!CartPrecondition.TryRead(http.Request, out var precondition))
            return CartResults.MalformedIfMatch();
        var result = await writer.Change(user.GetUserId(), precondition, attempt => Task.FromResult(CartRules.RemoveItem(attempt.Cart, productId)),
            cancellationToken);
        return await CartResults.Changed(result, http, query, cancellationToken);
    }
}
