using Marten;
using Shop.BuildingBlocks.Http;
using Shop.CartService.Carts.ViewingCart;

namespace Shop.CartService.Carts;

/// <summary>How the cart-changing endpoints answer: the cart with its ETag, or the problem the change ran into.</summary>
public static class CartResults
{
    public static async Task<IResult> Changed(CartWriteResult result, HttpContext http, IQuerySession session, CancellationToken cancellationToken)
    {
        if (result.Answer is not null)
            return Answer(result, http);
        return CartView.Ok(http, await CartView.Live(session, result.Cart, cancellationToken), CartETag.For(result.Cart));
    }

    /// <summary>The answer the writer gave instead of a change; a 412 carries the cart's current ETag.</summary>
    public static IResult Answer(CartWriteResult result, HttpContext http)
    {
        if (result.Stale)
            http.Response.Headers.ETag = CartETag.For(result.Cart);
        return result.Answer!;
    }

    public static IResult MalformedIfMatch() => Problems.Validation("If-Match", "If-Match must be \"*\" or a list of entity tags from ETag.");

    public static IResult CatalogUnavailable() => TypedResults.Problem(
        title: "The catalog cannot be reached.",
        detail: "The product is not known here yet and InventoryService does not answer; try again shortly.",
        statusCode: StatusCodes.Status503ServiceUnavailable);
}
