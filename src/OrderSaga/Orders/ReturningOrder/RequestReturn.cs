using System.Security.Claims;
using Marten;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Shop.BuildingBlocks.Http;
using Shop.BuildingBlocks.Security;
using Shop.Contracts.Orders;
using Shop.OrderSaga.Checkout;

namespace Shop.OrderSaga.Orders.ReturningOrder;

/// <summary>Optional: why the goods go back (kept on the order's timeline for the admin who receives them).</summary>
public record ReturnOrderRequest(string? Reason);

public static class RequestReturnEndpoint
{
    public const int MaxReasonLength = 500;
    const string NoReasonGiven = "ReturnedByCustomer";

    /// <summary>POST /api/orders/{id}/return (owner or admin): a shipped order, within the return window after shipping.</summary>
    public static async Task<Results<Accepted, ProblemHttpResult, ValidationProblem>> Handle(Guid id, ReturnOrderRequest? request,
        ClaimsPrincipal user, IDocumentSession session, ISendEndpointProvider send, IOptions<CheckoutOptions> options,
        CancellationToken cancellationToken)
    {
        var reason = string.IsNullOrWhiteSpace(request?.Reason) ? NoReasonGiven : request.Reason.Trim();
        if (reason.Length > MaxReasonLength)
            return Problems.Validation("reason", $"reason must be at most {MaxReasonLength} characters.");

        var now = DateTimeOffset.UtcNow;
        return await OrderRequests.Forward(id, user, session, send, order => Order.ReturnRefusal(order, now, options.Value.ReturnWindow),
            new RequestReturn(id, user.GetUserId(), reason), cancellationToken) is { } problem
            ? problem
            : OrderRequests.Accepted(id);
    }
}
