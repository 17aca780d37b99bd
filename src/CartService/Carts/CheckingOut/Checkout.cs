using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Marten;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Shop.BuildingBlocks.Http;
using Shop.BuildingBlocks.Security;
using Shop.CartService.Catalog;
using Shop.Contracts;
using Shop.Contracts.Carts;

namespace Shop.CartService.Carts.CheckingOut;

/// <summary>The cart was handed to checkout; the stream is closed and the customer's next add opens a new cart.</summary>
public record CheckedOut(Guid OrderId, IReadOnlyList<OrderLine> Lines, decimal Total, string Currency, string PaymentMethod, DateTimeOffset At);

public record CheckoutRequest([Required, StringLength(100, MinimumLength = 1)] string PaymentMethod, ShippingAddress? ShippingAddress);

public record CheckoutResponse(Guid OrderId);

public static class CheckoutEndpoint
{
    public static async Task<Results<Accepted<CheckoutResponse>, ProblemHttpResult>> Handle(
        CheckoutRequest request, ClaimsPrincipal user, IDocumentSession session, IPublishEndpoint publish, CancellationToken cancellationToken)
    {
        var customerId = user.GetUserId();
        var active = await session.LoadAsync<ActiveCart>(customerId, cancellationToken);
        if (active is null)
            return Problems.Conflict("The cart is empty.");

        var stream = await session.Events.FetchForWriting<Cart>(active.CartId, cancellationToken);
        var cart = stream.Aggregate;
        if (cart is null || cart.Lines.Count == 0)
            return Problems.Conflict("The cart is empty.");

        var products = (await session.LoadManyAsync<CatalogProduct>(cancellationToken, cart.Lines.Select(l => l.ProductId))).ToDictionary(p => p.Id);
        var unavailable = cart.Lines.Where(l => !products.TryGetValue(l.ProductId, out var p) || !p.Active).Select(l => l.Name).ToList();
        if (unavailable.Count > 0)
            return Problems.Unprocessable($"No longer sold: {string.Join(", ", unavailable)}. Remove them to check out.");

        // Checkout charges today's prices, not the ones from when items were added.
        var lines = cart.Lines.Select(l => new OrderLine(l.ProductId, l.Sku, products[l.ProductId].Name, products[l.ProductId].Price, l.Quantity)).ToList();
        var total = lines.Sum(l => l.UnitPrice * l.Quantity);
        var currency = products[lines[0].ProductId].Currency;
        var orderId = Guid.CreateVersion7();
        var now = DateTimeOffset.UtcNow;

        stream.AppendOne(new CheckedOut(orderId, lines, total, currency, request.PaymentMethod, now));
        session.Delete<ActiveCart>(customerId);
        await publish.Publish(new CheckoutRequested(orderId, cart.Id, customerId, user.GetEmail(), user.GetDisplayName(), lines, total, currency,
            request.PaymentMethod, request.ShippingAddress, now), cancellationToken);
        await session.SaveChangesAsync(cancellationToken);
        return TypedResults.Accepted($"/api/orders/{orderId}", new CheckoutResponse(orderId));
    }
}
