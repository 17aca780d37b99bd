using JasperFx.Events;
using MassTransit;
using Shop.PaymentService.Providers;
using Contract = Shop.Contracts.Payments;

namespace Shop.PaymentService.Payments;

/// <summary>
/// Writes a charge's outcome into the ledger (through <paramref name="append"/>) and publishes the matching contract event, in the caller's unit of work.
/// The charge consumer, the reconciliation and the Stripe webhook all settle payments through here.
/// </summary>
public static class ChargeOutcomes
{
    public record Charge(Guid OrderId, string Provider, decimal Amount, string Currency);

    public static async Task Record(Action<object> append, Charge charge, ChargeResult result, IPublishEndpoint publish,
        CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        switch (result)
        {
            case ChargeResult.Captured captured:
                append(new PaymentCaptured(charge.OrderId, captured.PaymentId, charge.Amount, now));
                await publish.Publish(new Contract.PaymentCaptured(charge.OrderId, captured.PaymentId, charge.Provider, charge.Amount, charge.Currency),
                    cancellationToken);
                break;
            case ChargeResult.Declined declined:
                append(new PaymentDeclined(charge.OrderId, declined.Reason, declined.DeclineCode, now));
                await publish.Publish(new Contract.PaymentFailed(charge.OrderId, declined.Reason, declined.DeclineCode), cancellationToken);
                break;
            case ChargeResult.Pending pending:
                append(new PaymentPending(charge.OrderId, pending.PaymentId, pending.ProviderStatus, now));
                break;
        }
    }

    public static Charge Of(PaymentLedger ledger) => new(ledger.Id, ledger.Provider, ledger.Amount, ledger.Currency);
}
