using System.Security.Claims;
using Marten;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Shop.BuildingBlocks.Http;
using Shop.BuildingBlocks.Messaging;
using Shop.BuildingBlocks.Security;
using Shop.Contracts.Orders;
using Shop.OrderSaga.Orders.Projections;

namespace Shop.OrderSaga.Orders.CancellingOrder;

public static class CancelOrderEndpoint
{
    /// <summary>Asks the saga to cancel; the saga decides against its own, newest state (202: the outcome shows on the order).</summary>
    public static async Task<Results<Accepted, ProblemHttpResult>> Handle(Guid id, ClaimsPrincipal user, IDocumentSession session,
        ISendEndpointProvider send, CancellationToken cancellationToken)
    {
        var order = await session.LoadAsync<OrderDetails>(id, cancellationToken);
        if (order is null || (order.CustomerId != user.GetUserId() && !user.IsAdmin()))
            return Problems.NotFound("The order");
        if (OrderActions.CancelRefusal(order) is { } refusal)
            return Problems.Conflict(refusal);

        var endpoint = await send.GetSendEndpoint(ServiceQueues.Address(ServiceQueues.Orders));
        await endpoint.Send(new CancelOrder(id, user.GetUserId(), user.IsAdmin() ? "CancelledByAdmin" : "CancelledByCustomer"), cancellationToken);
        await session.SaveChangesAsync(cancellationToken);
        return TypedResults.Accepted($"/api/orders/{id}");
    }
}
