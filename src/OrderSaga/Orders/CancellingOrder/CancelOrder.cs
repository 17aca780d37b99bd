using System.Security.Claims;
using Marten;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Shop.BuildingBlocks.Security;
using Shop.Contracts.Orders;

namespace Shop.OrderSaga.Orders.CancellingOrder;

public static class CancelOrderEndpoint
{
    /// <summary>POST /api/orders/{id}/cancel (owner or admin): allowed until the order ships.</summary>
    public static async Task<Results<Accepted, ProblemHttpResult>> Handle(Guid id, ClaimsPrincipal user, IDocumentSession session,
        ISendEndpointProvider send, CancellationToken cancellationToken) =>
        await OrderRequests.Forward(id, user, session, send, Order.CancelRefusal,
            new CancelOrder(id, user.GetUserId(), user.IsAdmin() ? "CancelledByAdmin" : "CancelledByCustomer"), cancellationToken) is { } problem
            ? problem
            : OrderRequests.Accepted(id);
}
