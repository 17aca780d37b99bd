using Marten;
using MassTransit;
using MassTransit.DependencyInjection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Shop.Messaging.Outbox;

namespace Shop.Messaging.Inbox;

/// <summary>
/// One consumed message = one unit of work = one PostgreSQL transaction, around one consumer or saga:
/// <list type="number">
/// <item>the transaction begins before the consumer runs (its reads are part of it), unless the consumer calls a
/// remote service (<see cref="CallsRemoteServicesAttribute"/>): then its reads run on their own and the transaction
/// is only the commit, so no transaction is open across that call;</item>
/// <item>the consumer changes documents and streams through the scoped session and sends, publishes or schedules
/// through its context: all of it lands in the session (<see cref="TransactionalOutbox"/>);</item>
/// <item>an inbox record for (consumer, message id) is added and the session commits: effect, inbox record and
/// outgoing messages together. If the record is already there, this message was handled before (a redelivered or
/// duplicated copy): nothing commits and the copy is acknowledged;</item>
/// <item>after the commit the outgoing messages go to the broker and their confirms are awaited together.</item>
/// </list>
/// A consumer that throws leaves nothing behind; the endpoint's retry runs it again on a fresh scope.
/// </summary>
sealed class UnitOfWorkFilter<TMessage>(IConsumeScopeProvider scopes, string inboxKey, bool transactionAroundConsumer)
    : IFilter<ConsumeContext<TMessage>>
    where TMessage : class
{
    public async Task Send(ConsumeContext<TMessage> context, IPipe<ConsumeContext<TMessage>> next)
    {
        await using var scope = await scopes.GetScope(context);
        var session = scope.GetService<IDocumentSession>();
        var outbox = scope.GetService<TransactionalOutbox>();
        var messageId = context.MessageId ?? throw new MessageException(typeof(TMessage), "A consumed message needs a MessageId");

        var unit = new UnitOfWorkConsumeContext<TMessage>(scope.Context, outbox);
        outbox.BeginConsume(unit);
        foreach (var propagator in scope.GetService<IEnumerable<IMessageContextPropagator>>())
            propagator.Prepare(session, context);
        session.CorrelationId = context.CorrelationId?.ToString();
        session.CausationId = messageId.ToString();
        using var consumeContext = scope.PushConsumeContext(unit);

        if (transactionAroundConsumer)
            await session.BeginTransactionAsync(context.CancellationToken);
        await next.Send(unit);
        await unit.ConsumeCompleted;

        // Nothing changed and nothing to send (a straggler the saga ignores, say): there is nothing to protect from a
        // second copy, so no transaction either.
        if (!session.PendingChanges.Operations().Any() && session.PendingChanges.Streams().Count == 0)
            return;
        session.QueueSqlCommand($"insert into {scope.GetService<MessagingTables>().Inbox} (consumer, message_id) values (?, ?)",
            inboxKey, messageId);
        try
        {
            await session.SaveChangesAsync(context.CancellationToken);
        }
        catch (Exception exception) when (IsInboxConflict(exception))
        {
            outbox.Discard();
            scope.GetService<MessagingCounters>().CountDuplicate();
            scope.GetService<ILogger<UnitOfWorkFilter<TMessage>>>().LogInformation(
                "{Consumer} already handled message {MessageId} ({MessageType}); this copy is dropped", inboxKey, messageId, typeof(TMessage).Name);
            return;
        }
        scope.GetService<MessagingCounters>().CountConsumed();
        await outbox.DispatchCommitted(context.CancellationToken);
    }

    static bool IsInboxConflict(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: MessagingTables.InboxPrimaryKey })
                return true;
        }
        return false;
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("unitOfWork").Add("inbox", inboxKey);
}

/// <summary>
/// Marks a consumer that calls another service over the network (a payment provider, another service's API): its unit
/// of work opens no transaction before it runs, so none is held across that call.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class CallsRemoteServicesAttribute : Attribute;
