using JasperFx.Events;
using Marten;

namespace Shop.PaymentService.Payments;

/// <summary>
/// Before a consumer asks the payment provider to move money, it records what it is about to do and commits that on its
/// own: the provider call then runs with no transaction open (it may take seconds), and if the process dies during it,
/// the ledger shows the request and the retry reaches the provider with the same idempotency key. The outcome, the
/// message's inbox record and the messages it causes commit together afterwards, in the message's unit of work.
/// </summary>
public static class PaymentIntents
{
    /// <summary>Appends the intent, commits it and returns the ledger stream again, ready for the outcome.</summary>
    public static async Task<IEventStream<PaymentLedger>> Commit(IDocumentSession session, IEventStream<PaymentLedger> stream, object intent,
        CancellationToken cancellationToken)
    {
        stream.AppendOne(intent);
        await session.SaveChangesAsync(cancellationToken);
        return await session.Events.FetchForWriting<PaymentLedger>(stream.Id, cancellationToken);
    }
}
