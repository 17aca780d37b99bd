using System.Security.Claims;
using Marten;
using Shop.BuildingBlocks.Http;
using Shop.BuildingBlocks.Security;
using Shop.CartService.Carts.ViewingCart;

namespace Shop.CartService.Carts.History;

public record CartEventResponse(long Version, string Type, DateTimeOffset Time, object Data);

public record CartHistoryResponse(Guid? CartId, long Version, IReadOnlyList<CartEventResponse> Events);

public static class CartHistoryEndpoint
{
    /// <summary>GET /api/cart/history: every event of the customer's current cart, oldest first.</summary>
    public static async Task<CartHistoryResponse> Mine(ClaimsPrincipal user, IQuerySession session, CancellationToken cancellationToken)
    {
        var cart = await CartView.Current(session, user.GetUserId(), cancellationToken);
        return cart is null ? new CartHistoryResponse(null, 0, []) : await Load(session, cart.Id, cancellationToken);
    }

    /// <summary>GET /api/cart/{cartId}/history: the history of one of the customer's carts (admins: any cart).</summary>
    public static async Task<IResult> One(Guid cartId, ClaimsPrincipal user, IQuerySession session, CancellationToken cancellationToken)
    {
        var cart = await CartView.Visible(session, user, cartId, cancellationToken);
        return cart is null ? Problems.NotFound("The cart") : TypedResults.Ok(await Load(session, cart.Id, cancellationToken));
    }

    static async Task<CartHistoryResponse> Load(IQuerySession session, Guid cartId, CancellationToken cancellationToken)
    {
        var events = await session.Events.FetchStreamAsync(cartId, token: cancellationToken);
        return new CartHistoryResponse(cartId, events.Count == 0 ? 0 : events[^1].Version,
            events.Select(e => new CartEventResponse(e.Version, e.EventType.Name, e.Timestamp, e.Data)).ToList());
    }
}
