using Marten;
using MassTransit;
using Shop.PaymentService.Providers;
using Contract = Shop.Contracts.Payments;

namespace Shop.PaymentService.Payments.Charging;

/// <summary>
/// Charges an order once. A redelivered ChargePayment finds the ledger and repeats its outcome; if the process died
/// between the provider call and the commit, the retry reaches the provider with the same idempotency key.
/// </summary>
public sealed class ChargePaymentConsumer(IDocumentSession session, IPaymentProvider provider) : IConsumer<Contract.ChargePayment>
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

        var now = DateTimeOffset.UtcNow;
        if (ledger is null)
            stream.AppendOne(new PaymentRequested(command.OrderId, command.CustomerId, command.Amount, command.Currency, command.PaymentMethod,
                provider.Name, now));

        var result = await provider.ChargeAsync(new ChargeRequest(command.OrderId, command.Amount, command.Currency, command.PaymentMethod,
            IdempotencyKeys.Charge(command.OrderId)), context.CancellationToken);

        switch (result)
        {
            case ChargeResult.Captured captured:
                stream.AppendOne(new PaymentCaptured(command.OrderId, captured.PaymentId, command.Amount, now));
                await context.Publish(new Contract.PaymentCaptured(command.OrderId, captured.PaymentId, provider.Name, command.Amount, command.Currency));
                break;
            case ChargeResult.Declined declined:
                stream.AppendOne(new PaymentDeclined(command.OrderId, declined.Reason, declined.DeclineCode, now));
                await context.Publish(new Contract.PaymentFailed(command.OrderId, declined.Reason, declined.DeclineCode));
                break;
        }
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
