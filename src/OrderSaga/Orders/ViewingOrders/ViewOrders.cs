using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Shop.BuildingBlocks.Http;
using Shop.BuildingBlocks.Persistence;
using Shop.BuildingBlocks.Security;
using Microsoft.Extensions.Options;
using Shop.Contracts;
using Shop.OrderSaga.Checkout;
using Shop.OrderSaga.Orders.Projections;

namespace Shop.OrderSaga.Orders.ViewingOrders;

public record OrderListItem(Guid OrderId, string Status, decimal Total, string Currency, DateTimeOffset CreatedAt);

public record OrderResponse(
    Guid OrderId, string Status, string? FailureReason, IReadOnlyList<OrderLine> Lines, decimal Total, string Currency, PaymentInfo Payment,
    ShippingAddress? ShippingAddress, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, IReadOnlyList<TimelineEntry> Timeline,
    bool CanCancel, DateTimeOffset? ShippedAt, string? TrackingReference, DateTimeOffset? ReturnUntil, bool CanRequestReturn, bool CanShip,
    bool CanRecordReturnReceived)
{
    /// <summary>
    /// The Can* flags: what the endpoints would accept from this caller now (the order's rules, <see cref="Order"/>), so
    /// clients need no rule of their own. Shipping and receiving returns are admin actions: false for a customer.
    /// </summary>
    public static OrderResponse From(OrderDetails o, bool isAdmin, DateTimeOffset now, TimeSpan returnWindow)
    {
        var order = o.State;
        return new(o.Id, o.Status, o.FailureReason, o.Lines, o.Total, o.Currency, o.Payment, o.ShippingAddress, o.CreatedAt, o.UpdatedAt,
            o.Timeline, Order.CancelRefusal(order) is null, o.ShippedAt, o.TrackingReference, o.ShippedAt + returnWindow,
            Order.ReturnRefusal(order, now, returnWindow) is null,
            isAdmin && Order.ShipRefusal(order) is null,
            isAdmin && Order.ReturnReceivedRefusal(order) is null);
    }
}

public static class ViewOrdersEndpoint
{
    public static async Task<Ok<IReadOnlyList<OrderListItem>>> Mine(ClaimsPrincipal user, IQuerySession session, CancellationToken cancellationToken)
    {
        var customerId = user.GetUserId();
        var orders = await session.Query<OrderDetails>()
            .Where(o => o.CustomerId == customerId)
            .OrderByDescending(o => o.CreatedAt)
            .Take(200)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok<IReadOnlyList<OrderListItem>>(orders.Select(o => new OrderListItem(o.Id, o.Status, o.Total, o.Currency, o.CreatedAt)).ToList());
    }

    /// <summary>
    /// The owner or an admin sees the order; anyone else gets the same 404 as for a missing order. One prepared query:
    /// the OrderDetails read model by id (<see cref="OrderReader"/>). Private and changing while checkout runs: no cache
    /// may keep it.
    /// </summary>
    public static async Task<Results<Ok<OrderResponse>, ProblemHttpResult>> One(Guid id, HttpContext http, ClaimsPrincipal user,
        ShopDatabase database, IDocumentStore store, IOptions<CheckoutOptions> options, CancellationToken cancellationToken)
    {
        var order = await OrderReader.FindAsync(database, store, id, cancellationToken);
        if (order is null || (order.CustomerId != user.GetUserId() && !user.IsAdmin()))
            return Problems.NotFound("The order");
        http.Response.Headers.CacheControl = "private, no-store";
        return TypedResults.Ok(OrderResponse.From(order, user.IsAdmin(), DateTimeOffset.UtcNow, options.Value.ReturnWindow));
    }
}
