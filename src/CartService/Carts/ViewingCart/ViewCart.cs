using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Shop.BuildingBlocks.Http;
using Shop.BuildingBlocks.Security;
using Shop.CartService.Catalog;

namespace Shop.CartService.Carts.ViewingCart;

/// <param name="UnitPrice">Today's price for a current cart; the recorded price for a past version or a checked-out cart.</param>
/// <param name="PriceChanged">The price differs from the one when the product was (last) added.</param>
/// <param name="Available">Still sold (a cart with an unavailable line cannot be checked out).</param>
public record CartItemResponse(
    Guid ProductId, string Sku, string Name, decimal UnitPrice, int Quantity, decimal LineTotal, decimal PriceWhenAdded, bool PriceChanged,
    bool Available);

public record CartResponse(
    Guid? Id, IReadOnlyList<CartItemResponse> Items, decimal Total, string Currency, long Version, CartStatus Status,
    DateTimeOffset? LastActivityAt, DateTimeOffset? AbandonedAt, Guid? OrderId);

public static class CartView
{
    public const string DefaultCurrency = "EUR";

    public static CartResponse Empty { get; } = new(null, [], 0m, DefaultCurrency, 0, CartStatus.Open, null, null, null);

    /// <summary>A current cart priced at today's catalog prices.</summary>
    public static async Task<CartResponse> Live(IQuerySession session, Cart? cart, CancellationToken cancellationToken)
    {
        if (cart is null)
            return Empty;
        var products = (await session.LoadManyAsync<CatalogProduct>(cancellationToken, cart.Lines.Select(l => l.ProductId))).ToDictionary(p => p.Id);
        return Live(cart, products);
    }

    /// <summary>A current cart priced with the replica's entries for its lines (a line the replica lacks keeps its price).</summary>
    public static CartResponse Live(Cart cart, IReadOnlyDictionary<Guid, CatalogProduct> products)
    {
        var items = cart.Lines.Select(line =>
        {
            var current = products.GetValueOrDefault(line.ProductId);
            var price = current?.Price ?? line.PriceWhenAdded;
            return new CartItemResponse(line.ProductId, line.Sku, current?.Name ?? line.Name, price, line.Quantity, price * line.Quantity,
                line.PriceWhenAdded, price != line.PriceWhenAdded, current?.Active ?? false);
        }).ToList();
        return Response(cart, items);
    }

    /// <summary>A cart as it was recorded (a past version, a checked-out cart): the prices it held then.</summary>
    public static CartResponse Recorded(Cart cart)
    {
        var ordered = cart.Checkout?.Lines.ToDictionary(l => l.ProductId);
        var items = cart.Lines.Select(line =>
        {
            var price = ordered?.GetValueOrDefault(line.ProductId)?.UnitPrice ?? line.PriceWhenAdded;
            return new CartItemResponse(line.ProductId, line.Sku, line.Name, price, line.Quantity, price * line.Quantity, line.PriceWhenAdded,
                price != line.PriceWhenAdded, true);
        }).ToList();
        return Response(cart, items);
    }

    static CartResponse Response(Cart cart, List<CartItemResponse> items) =>
        new(cart.Id, items, items.Sum(i => i.LineTotal), cart.Lines.Count > 0 ? cart.Currency : DefaultCurrency, cart.Version, cart.Status,
            cart.LastActivityAt, cart.AbandonedAt, cart.Checkout?.OrderId);

    /// <summary>The customer's current cart, or null when they have none.</summary>
    public static async Task<Cart?> Current(IQuerySession session, Guid customerId, CancellationToken cancellationToken)
    {
        var active = await session.LoadAsync<ActiveCart>(customerId, cancellationToken);
        var cart = active is null ? null : await session.LoadAsync<Cart>(active.CartId, cancellationToken);
        return cart is { IsCurrent: true } ? cart : null;
    }

    /// <summary>The cart if it is the user's (or the user is an admin); null otherwise, exactly like a cart that does not exist.</summary>
    public static async Task<Cart?> Visible(IQuerySession session, ClaimsPrincipal user, Guid cartId, CancellationToken cancellationToken)
    {
        var cart = await session.LoadAsync<Cart>(cartId, cancellationToken);
        return cart is not null && (cart.CustomerId == user.GetUserId() || user.IsAdmin()) ? cart : null;
    }

    /// <summary>
    /// The customer's own data: no cache keeps it, not even the browser's (a shared computer's disk). The ETag still
    /// lets a client that kept the body itself ask If-None-Match and get a 304.
    /// </summary>
    public const string CacheControl = "private, no-store";

    public static IResult Ok(HttpContext http, CartResponse response, string etag)
    {
        http.Response.Headers.ETag = etag;
        http.Response.Headers.CacheControl = CacheControl;
        return TypedResults.Ok(response);
    }
}

public static class ViewCartEndpoint
{
    /// <summary>
    /// GET /api/cart[?atVersion=N]: the current cart at today's prices (one query: <see cref="CartReader"/>), or as it
    /// was at version N.
    /// </summary>
    public static async Task<IResult> Mine(HttpContext http, ClaimsPrincipal user, CartReader carts, [FromQuery] long? atVersion,
        CancellationToken cancellationToken)
    {
        var current = await carts.CurrentAsync(user.GetUserId(), cancellationToken);
        if (atVersion is not null)
            return await AtVersion(http, current?.Cart, atVersion.Value, cancellationToken);

        var etag = CartETag.For(current?.Cart);
        if (Microsoft.Net.Http.Headers.EntityTagHeaderValue.TryParseList(http.Request.Headers.IfNoneMatch, out var known)
            && known.Any(t => t.Tag == etag || t.Tag == "*"))
        {
            http.Response.Headers.ETag = etag;
            http.Response.Headers.CacheControl = CartView.CacheControl;
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }
        return CartView.Ok(http, current is null ? CartView.Empty : CartView.Live(current.Cart, current.Products), etag);
    }

    /// <summary>GET /api/cart/{cartId}[?atVersion=N]: one of the customer's carts, current or checked out (admins see any).</summary>
    public static async Task<IResult> One(Guid cartId, HttpContext http, ClaimsPrincipal user, CartReader carts, [FromQuery] long? atVersion,
        CancellationToken cancellationToken)
    {
        var found = await carts.ByIdAsync(cartId, cancellationToken);
        if (found is null || (found.Cart.CustomerId != user.GetUserId() && !user.IsAdmin()))
            return Problems.NotFound("The cart");
        var cart = found.Cart;
        if (atVersion is not null)
            return await AtVersion(http, cart, atVersion.Value, cancellationToken);
        if (cart.IsCurrent)
            return CartView.Ok(http, CartView.Live(cart, found.Products), CartETag.For(cart));
        http.Response.Headers.CacheControl = CartView.CacheControl;
        return TypedResults.Ok(CartView.Recorded(cart));
    }

    /// <summary>Time travel: the cart folded from its stream up to the version.</summary>
    static async Task<IResult> AtVersion(HttpContext http, Cart? cart, long version, CancellationToken cancellationToken)
    {
        if (version < 1)
            return Problems.Validation("atVersion", "The version must be 1 or more.");
        if (cart is null || version > cart.Version)
            return Problems.NotFound($"Version {version} of the cart");
        // Resolved here, not as a parameter: the everyday GET needs no Marten session.
        var session = http.RequestServices.GetRequiredService<IQuerySession>();
        var past = await session.Events.AggregateStreamAsync<Cart>(cart.Id, version: version, token: cancellationToken);
        if (past is null)
            return Problems.NotFound($"Version {version} of the cart");
        http.Response.Headers.CacheControl = CartView.CacheControl;
        return TypedResults.Ok(CartView.Recorded(past));
    }
}
