using Marten;
using MassTransit;
using Shop.Messaging.Inbox;
using Shop.PaymentService.Payments.Charging;
using Shop.PaymentService.Providers;
using Contract = Shop.Contracts.Payments;

namespace Shop.PaymentService.Payments.Refunding;

/// <summary>
/// Refunds a captured payment (at most what was captured and is neither refunded nor being refunded). A repeated
/// RefundPayment repeats the outcome; the idempotency key counts the ledger's refunds, so a retry after a crash reaches
/// the provider with the same key. The request is committed before the provider is called (<see cref="PaymentIntents"/>).
/// </summary>
[CallsRemoteServices]
public sealed class RefundPaymentConsumer(IDocumentSession session, IPaymentProvider provider) : IConsumer<Contract.RefundPayment>
{
    public async Task Consume(ConsumeContext<Contract.RefundPayment> context)
    {
        var command = context.Message;
        var stream = await session.Events.FetchForWriting<PaymentLedger>(command.OrderId, context.CancellationToken);
        var ledger = stream.Aggregate;

        if (ledger is not { Status: PaymentStatus.Captured or PaymentStatus.Refunded })
        {
            await context.Publish(new Contract.RefundFailed(command.OrderId, "NothingCaptured"));
            return;
        }
        if (ledger.Status == PaymentStatus.Refunded)
        {
            await context.Publish(new Contract.PaymentRefunded(command.OrderId, ledger.RefundIds.LastOrDefault() ?? "", ledger.Refunded, ledger.Currency));
            return;
        }

        var amount = Math.Min(command.Amount, ledger.Amount - ledger.Refunded - ledger.PendingRefundAmount);
        if (amount <= 0)
            return; // Everything left is already being refunded; the provider's answer settles it.

        var now = DateTimeOffset.UtcNow;
        var append = await PaymentIntents.Commit(session, stream, new RefundRequested(command.OrderId, amount, command.Reason, now), context.CancellationToken);
        var result = await provider.RefundAsync(new RefundRequest(command.OrderId, ledger.PaymentId!, amount, ledger.Currency,
            IdempotencyKeys.Refund(command.OrderId, ledger.RefundIds.Count + ledger.PendingRefunds.Count + 1)), context.CancellationToken);

        switch (result)
        {
            case RefundResult.Refunded refunded:
                append(new PaymentRefunded(command.OrderId, refunded.RefundId, amount, now));
                await context.Publish(new Contract.PaymentRefunded(command.OrderId, refunded.RefundId, amount, ledger.Currency));
                break;
            case RefundResult.Pending pending:
                append(new RefundPending(command.OrderId, pending.RefundId, amount, now));
                break;
            case RefundResult.Failed failed:
                await context.Publish(new Contract.RefundFailed(command.OrderId, failed.Reason));
                break;
        }
    }
}
