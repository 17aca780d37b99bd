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
    /// <summary>
    /// Appends the intent and commits it; returns how to append the outcome: at the version right after the intent, so
    /// a concurrent copy of the same command that got further first makes this commit fail instead of writing twice.
    /// </summary>
    public static async Task<Action<object>> Commit(IDocumentSession session, IEventStream<PaymentLedger> stream, object intent,
        CancellationToken cancellationToken)
    {
        stream.AppendOne(intent);
        await session.SaveChangesAsync(cancellationToken);
        var version = (stream.StartingVersion ?? 0) + 1;
        return outcome => session.Events.Append(stream.Id, ++version, outcome);
    }
}
