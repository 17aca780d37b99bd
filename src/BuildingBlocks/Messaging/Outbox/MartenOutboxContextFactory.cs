using Marten;
using MassTransit;
using MassTransit.Middleware;
using Npgsql;
using Shop.BuildingBlocks.Operations;

namespace Shop.BuildingBlocks.Messaging.Outbox;

/// <summary>Marker type naming the Marten outbox in MassTransit's generic outbox middleware.</summary>
public sealed class MartenOutbox;

/// <summary>
/// MassTransit's inbox/outbox protocol on a Marten session. Each pass commits one PostgreSQL transaction:
/// (1) the consumer's effect + its inbox row + the messages it produced, (2) delivery of those messages to the broker,
/// (3) their removal. A crash between passes leaves the message unacknowledged; its redelivery resumes at the right pass
/// and the inbox row keeps the effect from happening twice.
/// </summary>
public class MartenOutboxContextFactory(IDocumentSession session, IServiceProvider provider, MartenUnitOfWork unitOfWork)
    : IOutboxContextFactory<MartenOutbox>
{
    public async Task Send<T>(ConsumeContext<T> context, OutboxConsumeOptions options, IPipe<OutboxConsumeContext<T>> next)
        where T : class
    {
        var messageId = context.GetOriginalMessageId()
            ?? throw new MessageException(typeof(T), "A MessageId is required to consume through the outbox");
        var inboxId = InboxState.IdFor(options.ConsumerId, messageId);

        // Event metadata for everything this message appends (operators trace streams back to messages with it).
        session.CorrelationId = context.CorrelationId?.ToString();
        session.CausationId = messageId.ToString();
        ActingUser.Stamp(session, ActingUser.From(context.Headers));
        unitOfWork.OwnedByOutbox = true;

        var firstPass = true;
        var continueProcessing = true;
        while (continueProcessing)
        {
            // Each pass runs in one transaction holding a lock on this (consumer, message): two copies of a message
            // delivered at once (a redelivery racing the original) take turns, so only one of them consumes or
            // delivers; the other then sees what the first did.
            await session.BeginTransactionAsync(context.CancellationToken);
            await LockInbox(inboxId, context.CancellationToken);
            var inbox = await session.LoadAsync<InboxState>(inboxId, context.CancellationToken);
            var isNew = inbox is null;
            inbox ??= new InboxState
            {
                Id = inboxId,
                MessageId = messageId,
                ConsumerId = options.ConsumerId,
                ConsumerType = options.ConsumerType,
                Received = DateTime.UtcNow,
            };
            if (firstPass)
                inbox.ReceiveCount++;
            firstPass = false;

            var outboxContext = new MartenOutboxConsumeContext<T>(context, options, provider, session, inbox);
            await next.Send(outboxContext);

            if (isNew)
                session.Insert(inbox);
            else
                session.Update(inbox);
            await session.SaveChangesAsync(context.CancellationToken);

            continueProcessing = outboxContext.ContinueProcessing;
        }
    }

    async Task LockInbox(string inboxId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("select pg_advisory_xact_lock(hashtextextended(@id, 0))", session.Connection);
        command.Parameters.AddWithValue("id", inboxId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("outboxContextFactory").Add("provider", "marten");
}

/// <summary>
/// Scoped flag: set when the consume outbox owns the session's commit, so components sharing the session (the saga
/// repository) stage their changes instead of committing them separately.
/// </summary>
public sealed class MartenUnitOfWork
{
    public bool OwnedByOutbox { get; set; }
}
