using Marten;
using MassTransit;
using Microsoft.Extensions.Options;
using Shop.Messaging.Inbox;
using Shop.PaymentService.Payments.Reconciling;
using Shop.PaymentService.Providers;
using Contract = Shop.Contracts.Payments;

namespace Shop.PaymentService.Payments.Charging;

/// <summary>
/// Charges an order once. The request is committed before the provider is called (<see cref="PaymentIntents"/>), so no
/// transaction is open during the call. A redelivered ChargePayment finds the ledger and repeats its outcome; if the
/// process died between the provider call and the outcome's commit, the retry reaches the provider with the same
/// idempotency key. When the provider leaves the charge pending, nothing is published: a webhook or the scheduled
/// reconciliation settles it.
/// </summary>
[CallsRemoteServices]
public sealed class ChargePaymentConsumer(IDocumentSession session, IPaymentProvider provider, IOptions<ReconciliationOptions> reconciliation)
    : IConsumer<Contract.ChargePayment>
{
    public async Task Consume(ConsumeContext<Contract.ChargePayment> context)
    {
        var command = context.Message;
        var stream = await session.Events.FetchForWriting<PaymentLedger>(command.OrderId, context.CancellationToken);
        var ledger = stream.Aggregate;

        if (ledger is { Status: not PaymentStatus.Pending })
        {
            await RepeatOutcome(context, ledger);
            return;
        }
        if (ledger is { PaymentId: not null })
            return; // Already pending at the provider; its answer is on the way.

        var isToken = PaymentMethodToken.IsToken(command.PaymentMethod);
        Action<object> append = stream.AppendOne;
        if (ledger is null)
            append = await PaymentIntents.Commit(session, stream, new PaymentRequested(command.OrderId, command.CustomerId, command.Amount,
                command.Currency, isToken ? command.PaymentMethod : PaymentMethodToken.Rejected, provider.Name, DateTimeOffset.UtcNow),
                context.CancellationToken);

        var result = isToken
            ? await provider.ChargeAsync(new ChargeRequest(command.OrderId, command.Amount, command.Currency, command.PaymentMethod,
                IdempotencyKeys.Charge(command.OrderId)), context.CancellationToken)
            : new ChargeResult.Declined("The payment method is not a payment method token.", "invalid_payment_method");

        await ChargeOutcomes.Record(append, new ChargeOutcomes.Charge(command.OrderId, provider.Name, command.Amount, command.Currency), result,
            context, context.CancellationToken);
        if (result is ChargeResult.Pending)
            await ReconcilePaymentConsumer.Schedule(context, command.OrderId, 1, reconciliation.Value);
    }

    static Task RepeatOutcome(ConsumeContext context, PaymentLedger ledger) => ledger.Status switch
    {
        PaymentStatus.Declined => context.Publish(new Contract.PaymentFailed(ledger.Id, ledger.DeclineReason ?? "Declined", ledger.DeclineCode)),
        _ => context.Publish(new Contract.PaymentCaptured(ledger.Id, ledger.PaymentId!, ledger.Provider, ledger.Amount, ledger.Currency)),
    };
}

public static class IdempotencyKeys
{
    public static string Charge(Guid orderId) => $"order-{orderId:N}-charge";
    public static string Refund(Guid orderId, int sequence) => $"order-{orderId:N}-refund-{sequence}";
}
