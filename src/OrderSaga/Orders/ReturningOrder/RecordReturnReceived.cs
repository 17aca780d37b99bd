using System.Security.Claims;
using Marten;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Shop.BuildingBlocks.Security;
using Shop.Contracts.Orders;

namespace Shop.OrderSaga.Orders.ReturningOrder;

public static class RecordReturnReceivedEndpoint
{
    /// <summary>
    /// POST /api/orders/{id}/return/received (admin): the returned goods arrived, so the order is refunded and its units
    /// restocked. Posting again after a refund failed retries the refund.
    /// </summary>
    public static async Task<Results<Accepted, ProblemHttpResult>> Handle(Guid id, ClaimsPrincipal user, IDocumentSession session,
        ISendEndpointProvider send, CancellationToken cancellationToken) =>
        await OrderRequests.Forward(id, user, session, send, Order.ReturnReceivedRefusal,
            new RecordReturnReceived(id, user.GetUserId()), cancellationToken) is { } problem
            ? problem
            : OrderRequests.Accepted(id);
}
