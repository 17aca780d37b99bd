using System.Security.Claims;
using Marten;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Shop.BuildingBlocks.Http;
using Shop.BuildingBlocks.Messaging;
using Shop.BuildingBlocks.Security;
using Shop.OrderSaga.Orders.Projections;

namespace Shop.OrderSaga.Orders;

/// <summary>
/// The shared path of every request that asks the checkout saga to act on an order (cancel, ship, return, goods received):
/// the owner or an admin sees the order (anyone else the same 404 as for a missing one), the order's rules
/// (<see cref="Order"/>, against the order view) refuse what is not allowed now (409), and the command goes to the saga's
/// queue, which decides again against its own, newest state (the endpoint answers 202 with the order's address: the
/// outcome shows on the order).
/// </summary>
public static class OrderRequests
{
    /// <summary>The problem to answer, or null when the command was sent.</summary>
    public static async Task<ProblemHttpResult?> Forward<TCommand>(Guid id, ClaimsPrincipal user, IDocumentSession session,
        ISendEndpointProvider send, Func<Order, string?> refusal, TCommand command, CancellationToken cancellationToken)
        where TCommand : class
    {
        var order = await session.LoadAsync<OrderDetails>(id, cancellationToken);
        if (order is null || (order.CustomerId != user.GetUserId() && !user.IsAdmin()))
            return Problems.NotFound("The order");
        if (refusal(order.State) is { } refused)
            return Problems.Conflict(refused);

        var endpoint = await send.GetSendEndpoint(ServiceQueues.Address(ServiceQueues.Orders));
        await endpoint.Send(command, cancellationToken);
        await session.SaveChangesAsync(cancellationToken);
        return null;
    }

    public static Accepted Accepted(Guid id) => TypedResults.Accepted($"/api/orders/{id}");
}
