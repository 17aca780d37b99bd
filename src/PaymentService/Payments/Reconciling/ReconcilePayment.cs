using Marten;
using MassTransit;
using Microsoft.Extensions.Options;
using Shop.BuildingBlocks.Messaging;
using Shop.Messaging.Inbox;
using Shop.PaymentService.Providers;

namespace Shop.PaymentService.Payments.Reconciling;

/// <summary>PaymentService's note to itself: ask the provider again about a charge it left pending.</summary>
public record ReconcilePayment(Guid OrderId, int Attempt);

/// <summary>"Payments:Reconciliation": when to check back on a pending charge (doubling after each attempt, at most an hour apart).</summary>
public sealed class ReconciliationOptions
{
    public TimeSpan FirstDelay { get; set; } = TimeSpan.FromSeconds(30);
    public int MaxAttempts { get; set; } = 8;

    public TimeSpan DelayBefore(int attempt) =>
        TimeSpan.FromTicks(Math.Min(TimeSpan.FromHours(1).Ticks, FirstDelay.Ticks * (1L << Math.Min(attempt - 1, 20))));
}

/// <summary>
/// The safety net behind webhooks: a pending charge is looked up at the provider on a durable schedule until it is
/// settled (by this or by a webhook, whichever comes first) or the attempts run out. Lost or late webhooks therefore
/// still settle the ledger; this is also how the simulated provider's pm_card_lateAnswer gets captured.
/// </summary>
[CallsRemoteServices]
public sealed class ReconcilePaymentConsumer(IDocumentSession session, IPaymentProvider provider, IOptions<ReconciliationOptions> options,
    ILogger<ReconcilePaymentConsumer> logger) : IConsumer<ReconcilePayment>
{
    public async Task Consume(ConsumeContext<ReconcilePayment> context)
    {
        var message = context.Message;
        var stream = await session.Events.FetchForWriting<PaymentLedger>(message.OrderId, context.CancellationToken);
        if (stream.Aggregate is not { Status: PaymentStatus.Pending, PaymentId: { } paymentId } ledger)
            return; // Settled meanwhile (webhook), or nothing to look at.

        var result = await provider.CheckChargeAsync(paymentId, context.CancellationToken);
        if (result is ChargeResult.Pending pending)
        {
            if (message.Attempt < options.Value.MaxAttempts)
                await Schedule(context, message.OrderId, message.Attempt + 1, options.Value);
            else
                logger.LogWarning("Payment of order {OrderId} is still {Status} after {Attempts} checks; waiting for a webhook only",
                    message.OrderId, pending.ProviderStatus, message.Attempt);
            return;
        }

        logger.LogInformation("Reconciled the pending payment of order {OrderId}: {Outcome}", message.OrderId, result.GetType().Name);
        await ChargeOutcomes.Record(stream.AppendOne, ChargeOutcomes.Of(ledger), result, context, context.CancellationToken);
    }

    public static Task Schedule(ConsumeContext context, Guid orderId, int attempt, ReconciliationOptions options) =>
        context.ScheduleSend(ServiceQueues.Address(ServiceQueues.Payments), options.DelayBefore(attempt), new ReconcilePayment(orderId, attempt));
}
