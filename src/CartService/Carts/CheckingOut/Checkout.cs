using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Marten;
using MassTransit;
using Shop.BuildingBlocks.Http;
using Shop.BuildingBlocks.Payments;
using Shop.BuildingBlocks.Security;
using Shop.CartService.Catalog;
using Shop.Contracts;
using Shop.Contracts.Carts;

namespace Shop.CartService.Carts.CheckingOut;

/// <summary>A line whose price at checkout differs from the price when it was added.</summary>
public record CheckoutPriceChange(Guid ProductId, decimal PriceWhenAdded, decimal PriceAtCheckout);

/// <summary>The cart was handed to checkout; the stream is closed and the customer's next change opens a new cart.</summary>
public record CheckedOut(
    Guid OrderId, IReadOnlyList<OrderLine> Lines, decimal Total, string Currency, string PaymentMethod, DateTimeOffset At,
    ShippingAddress? ShippingAddress = null, IReadOnlyList<CheckoutPriceChange>? PriceChanges = null);

public record ShippingAddressRequest(
    [Required, StringLength(200, MinimumLength = 1)] string Name,
    [Required, StringLength(200, MinimumLength = 1)] string Line1,
    [StringLength(200)] string? Line2,
    [Required, StringLength(100, MinimumLength = 1)] string City,
    [Required, StringLength(20, MinimumLength = 1)] string PostalCode,
    [Required, RegularExpression("^[A-Z]{2}$")] string Country)
{
    public ShippingAddress ToContract() => new(Name.Trim(), Line1.Trim(), Line2?.Trim(), City.Trim(), PostalCode.Trim(), Country);
}

public record CheckoutRequest([Required, StringLength(100, MinimumLength = 1)] string PaymentMethod, ShippingAddressRequest? ShippingAddress);

public record CheckoutLineResponse(
    Guid ProductId, string Sku, string Name, int Quantity, decimal UnitPrice, decimal PriceWhenAdded, decimal LineTotal, bool PriceChanged);

/// <param name="PricesChanged">Some line is charged at a price other than the one it was added at (see each line).</param>
public record CheckoutResponse(Guid OrderId, Guid CartId, IReadOnlyList<CheckoutLineResponse> Lines, decimal Total, string Currency, bool PricesChanged)
{
    public static CheckoutResponse From(Guid cartId, CheckedOut checkedOut)
    {
        var changes = (checkedOut.PriceChanges ?? []).ToDictionary(c => c.ProductId);
        var lines = checkedOut.Lines.Select(l =>
        {
            var change = changes.GetValueOrDefault(l.ProductId);
            return new CheckoutLineResponse(l.ProductId, l.Sku, l.Name, l.Quantity, l.UnitPrice, change?.PriceWhenAdded ?? l.UnitPrice,
                l.UnitPrice * l.Quantity, change is not null);
        }).ToList();
        return new CheckoutResponse(checkedOut.OrderId, cartId, lines, checkedOut.Total, checkedOut.Currency, changes.Count > 0);
    }
}

/// <summary>A checkout made with an Idempotency-Key (Id = customer + key): a repeat of the request gets the same answer.</summary>
public class CheckoutRecord
{
    public string Id { get; set; } = "";
    public Guid CustomerId { get; set; }
    public string RequestFingerprint { get; set; } = "";
    public CheckoutResponse Response { get; set; } = null!;
    public DateTimeOffset CreatedAt { get; set; }

    public static string IdFor(Guid customerId, string key) => $"{customerId:N}:{key}";
}

public static class CheckoutEndpoint
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    const int MaxKeyLength = 200;

    /// <summary>
    /// POST /api/cart/checkout: closes the cart at today's prices and asks for an order (CheckedOut + CheckoutRequested in one
    /// commit). A repeat of a checkout that already happened answers exactly like the first one (202, same order) instead of
    /// ordering again: same Idempotency-Key and request; same If-Match as a checkout that consumed that cart version; or a
    /// concurrent twin (double click) that checked out the cart version this request read.
    /// </summary>
    public static async Task<IResult> Handle(CheckoutRequest request, HttpContext http, ClaimsPrincipal user, CartWriter writer,
        CancellationToken cancellationToken)
    {
        // An order needs an address its confirmation can go to, proven by its owner (the gateway's verification).
        if (!user.HasVerifiedEmail())
            return TypedResults.Problem(title: "Verify your email address before checking out.",
                detail: "Open the link in the email Shop sent when you registered, then sign in again.", statusCode: StatusCodes.Status403Forbidden);
        // Card numbers and other card details never get past this point: not into the cart stream, the order, or a message.
        if (!PaymentMethodTokens.IsToken(request.PaymentMethod))
            return Problems.Unprocessable(PaymentMethodTokens.Requirement);
        if (!CartPrecondition.TryRead(http.Request, out var precondition))
            return CartResults.MalformedIfMatch();
        var key = http.Request.Headers[IdempotencyKeyHeader].ToString();
        if (key.Length > MaxKeyLength || key.Any(c => c < 0x21 || c > 0x7e))
            return Problems.Validation(IdempotencyKeyHeader, $"The key must be 1 to {MaxKeyLength} visible ASCII characters.");

        var customerId = user.GetUserId();
        var shipping = request.ShippingAddress?.ToContract();
        var fingerprint = Fingerprint(request.PaymentMethod, shipping);
        var targeted = precondition.PinnedVersion;
        var checkedOutCartId = Guid.Empty;

        var result = await writer.Change(customerId, precondition, async attempt =>
        {
            var session = attempt.Session;
            if (key.Length > 0 && await session.LoadAsync<CheckoutRecord>(CheckoutRecord.IdFor(customerId, key), cancellationToken) is { } record)
                return CartDecision.Respond(record.RequestFingerprint == fingerprint
                    ? Replay(http, record.Response)
                    : Problems.Unprocessable($"This {IdempotencyKeyHeader} was used for a different checkout request."));

            if (targeted is { } target && await PreviousCheckout(session, customerId, target, cancellationToken) is { } previous
                && previous.Checkout!.PaymentMethod == request.PaymentMethod && Equals(previous.Checkout.ShippingAddress, shipping))
                return CartDecision.Respond(Replay(http, CheckoutResponse.From(previous.Id, previous.Checkout)));

            var cart = attempt.Cart;
            // Remember what this request set out to check out: if a twin wins the race, the retry recognises its order.
            if (attempt.Number == 1 && !attempt.IsNew)
                targeted ??= (cart.Id, cart.Version);
            var products = cart.Lines.Count == 0
                ? new Dictionary<Guid, CatalogProduct>()
                : (await session.LoadManyAsync<CatalogProduct>(cancellationToken, cart.Lines.Select(l => l.ProductId))).ToDictionary(p => p.Id);
            var now = DateTimeOffset.UtcNow;
            var decision = CartRules.Checkout(cart, products, request.PaymentMethod, shipping, Guid.CreateVersion7(), now);
            if (decision.Events is not [CheckedOut checkedOut])
                return decision;

            session.Delete<ActiveCart>(customerId);
            if (key.Length > 0)
                session.Insert(new CheckoutRecord
                {
                    Id = CheckoutRecord.IdFor(customerId, key), CustomerId = customerId, RequestFingerprint = fingerprint,
                    Response = CheckoutResponse.From(cart.Id, checkedOut), CreatedAt = now,
                });
            var publish = attempt.Services.GetRequiredService<IPublishEndpoint>();
            await publish.Publish(new CheckoutRequested(checkedOut.OrderId, cart.Id, customerId, user.GetEmail(), user.GetDisplayName(),
                checkedOut.Lines, checkedOut.Total, checkedOut.Currency, request.PaymentMethod, shipping, now), cancellationToken);
            checkedOutCartId = cart.Id;
            return decision;
        }, cancellationToken);

        if (result.Answer is not null)
            return CartResults.Answer(result, http);
        return Accepted(CheckoutResponse.From(checkedOutCartId, result.Appended.OfType<CheckedOut>().Single()));
    }

    static IResult Accepted(CheckoutResponse response) => TypedResults.Accepted($"/api/orders/{response.OrderId}", response);

    static IResult Replay(HttpContext http, CheckoutResponse response)
    {
        http.Response.Headers[ReplayedHeader] = "true";
        return Accepted(response);
    }

    /// <summary>The customer's cart that was checked out by the event right after the given version.</summary>
    static async Task<Cart?> PreviousCheckout(IDocumentSession session, Guid customerId, (Guid CartId, long Version) target,
        CancellationToken cancellationToken)
    {
        var cart = await session.LoadAsync<Cart>(target.CartId, cancellationToken);
        return cart is { Status: CartStatus.CheckedOut, Checkout: not null } && cart.CustomerId == customerId
               && cart.CheckedOutAtVersion == target.Version + 1
            ? cart
            : null;
    }

    static string Fingerprint(string paymentMethod, ShippingAddress? shipping) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { paymentMethod, shipping }))));
}
