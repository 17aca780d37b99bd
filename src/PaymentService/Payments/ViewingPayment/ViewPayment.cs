using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Shop.BuildingBlocks.Http;
using Shop.BuildingBlocks.Security;

namespace Shop.PaymentService.Payments.ViewingPayment;

public record PaymentResponse(Guid OrderId, string Status, decimal Amount, string Currency, string PaymentMethod, string Provider,
    string? PaymentId, string? DeclineReason, decimal Refunded, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    string? ProviderStatus = null);

public static class ViewPaymentEndpoint
{
    public static async Task<Results<Ok<PaymentResponse>, ProblemHttpResult>> Handle(Guid orderId, ClaimsPrincipal user, IQuerySession session,
        CancellationToken cancellationToken)
    {
        var ledger = await session.LoadAsync<PaymentLedger>(orderId, cancellationToken);
        if (ledger is null || (ledger.CustomerId != user.GetUserId() && !user.IsAdmin()))
            return Problems.NotFound("The payment");
        return TypedResults.Ok(new PaymentResponse(ledger.Id, ledger.Status.ToString(), ledger.Amount, ledger.Currency, ledger.PaymentMethod,
            ledger.Provider, ledger.PaymentId, ledger.DeclineReason, ledger.Refunded, ledger.CreatedAt, ledger.UpdatedAt, ledger.ProviderStatus));
    }
}
