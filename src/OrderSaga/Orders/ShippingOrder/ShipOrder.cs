using System.Security.Claims;
using Marten;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Shop.BuildingBlocks.Http;
using Shop.BuildingBlocks.Security;
using Shop.Contracts.Orders;

namespace Shop.OrderSaga.Orders.ShippingOrder;

/// <summary>Optional: the carrier's tracking reference, told to the customer in the shipping email.</summary>
public record ShipOrderRequest(string? TrackingReference);

public static class ShipOrderEndpoint
{
    public const int MaxTrackingReferenceLength = 100;

    /// <summary>POST /api/orders/{id}/ship (admin, or a fulfilment system with an admin token): the goods left the warehouse.</summary>
    public static async Task<Results<Accepted, ProblemHttpResult, ValidationProblem>> Handle(Guid id, ShipOrderRequest? request, ClaimsPrincipal user,
        IDocumentSession session, ISendEndpointProvider send, CancellationToken cancellationToken)
    {
        var tracking = string.IsNullOrWhiteSpace(request?.TrackingReference) ? null : request.TrackingReference.Trim();
        if (tracking is { Length: > MaxTrackingReferenceLength })
            return Problems.Validation("trackingReference", $"trackingReference must be at most {MaxTrackingReferenceLength} characters.");

        return await OrderRequests.Forward(id, user, session, send, Order.ShipRefusal,
            new ShipOrder(id, user.GetUserId(), tracking), cancellationToken) is { } problem
            ? problem
            : OrderRequests.Accepted(id);
    }
}
