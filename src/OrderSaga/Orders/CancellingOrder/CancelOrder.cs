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
    /// <summary>Before confirmation a cancel releases (and refunds); after it, it refunds (see CheckoutStateMachine).</summary>
    static readonly string[] Cancellable =
        [OrderStatus.Placed, OrderStatus.StockReserved, OrderStatus.PaymentCaptured, OrderStatus.Confirmed, OrderStatus.Completed];

    /// <summary>Asks the saga to cancel; the saga decides against its own, newest state (202: the outcome shows on the order).</summary>
    public static async Task<Results<Accepted, ProblemHttpResult>> Handle(Guid id, ClaimsPrincipal user, IDocumentSession session,
        ISendEndpointProvider send, CancellationToken cancellationToken)
    {
        var order = await session.LoadAsync<OrderDetails>(id, cancellationToken);
        if (order is null || (order.CustomerId != user.GetUserId() && !user.IsAdmin()))
            return Problems.NotFound("The order");
        if (!Cancellable.Contains(order.Status))
            return Problems.Conflict($"An order in status {order.Status} can no longer be cancelled.");
        if (order.CancellationRequested || order.RefundRequested)
            return Problems.Conflict("A cancellation of this order is already under way.");

        var endpoint = await send.GetSendEndpoint(ServiceQueues.Address(ServiceQueues.Orders));
        await endpoint.Send(new CancelOrder(id, user.GetUserId(), user.IsAdmin() ? "CancelledByAdmin" : "CancelledByCustomer"), cancellationToken);
        await session.SaveChangesAsync(cancellationToken);
        return TypedResults.Accepted($"/api/orders/{id}");
    }
}
