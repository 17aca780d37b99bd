using System.Security.Claims;
using Marten;
using Shop.BuildingBlocks.Security;
using Shop.CartService.Catalog;

namespace Shop.CartService.Carts.ViewingCart;

public record CartItemResponse(Guid ProductId, string Sku, string Name, decimal UnitPrice, int Quantity, decimal LineTotal, bool PriceChanged, bool Available);

public record CartResponse(Guid? Id, IReadOnlyList<CartItemResponse> Items, decimal Total, string Currency, long Version);

public static class ViewCartEndpoint
{
    public const string DefaultCurrency = "EUR";

    public static async Task<CartResponse> Handle(ClaimsPrincipal user, IQuerySession session, CancellationToken cancellationToken) =>
        await Load(session, user.GetUserId(), cancellationToken);

    /// <summary>The customer's open cart priced at the current catalog prices (an empty cart when there is none yet).</summary>
    public static async Task<CartResponse> Load(IQuerySession session, Guid customerId, CancellationToken cancellationToken)
    {
        var active = await session.LoadAsync<ActiveCart>(customerId, cancellationToken);
        var cart = active is null ? null : await session.LoadAsync<Cart>(active.CartId, cancellationToken);
        if (cart is null)
            return new CartResponse(null, [], 0m, DefaultCurrency, 0);

        var products = (await session.LoadManyAsync<CatalogProduct>(cancellationToken, cart.Lines.Select(l => l.ProductId))).ToDictionary(p => p.Id);
        var items = cart.Lines.Select(line =>
        {
            var current = products.GetValueOrDefault(line.ProductId);
            var price = current?.Price ?? line.PriceWhenAdded;
            return new CartItemResponse(line.ProductId, line.Sku, current?.Name ?? line.Name, price, line.Quantity, price * line.Quantity,
                price != line.PriceWhenAdded, current?.Active ?? false);
        }).ToList();
        return new CartResponse(cart.Id, items, items.Sum(i => i.LineTotal), cart.Lines.FirstOrDefault()?.Currency ?? DefaultCurrency, cart.Version);
    }
}
