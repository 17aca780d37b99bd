using Marten;
using MassTransit;
using MassTransit.Context;
using MassTransit.Middleware;
using MassTransit.Saga;

namespace Shop.Messaging.Sagas;

/// <summary>
/// Saga repository on the message's scoped Marten session (MassTransit.Marten is not available for 8.5 here).
/// Saga documents use Marten's optimistic concurrency: two messages racing on one instance make one commit fail with a
/// concurrency exception, and the endpoint's retry runs that message again on fresh state. Changes are only staged in
/// the session: the message's unit of work (Inbox/UnitOfWorkFilter) commits them with its inbox record and outgoing
/// messages in one transaction.
/// </summary>
public sealed class MartenSagaRepositoryContextFactory<TSaga>(
    IDocumentSession session,
    ISagaConsumeContextFactory<IDocumentSession, TSaga> factory)
    : ISagaRepositoryContextFactory<TSaga>, IQuerySagaRepositoryContextFactory<TSaga>, ILoadSagaRepositoryContextFactory<TSaga>
    where TSaga : class, ISaga
{
    public Task Send<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<TSaga, T>> next) where T : class =>
        next.Send(new MartenSagaRepositoryContext<TSaga, T>(session, context, factory));

    public async Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<TSaga> query, IPipe<SagaRepositoryQueryContext<TSaga, T>> next)
        where T : class
    {
        var instances = await session.Query<TSaga>().Where(query.FilterExpression).ToListAsync(context.CancellationToken);
        var repositoryContext = new MartenSagaRepositoryContext<TSaga, T>(session, context, factory);
        await next.Send(new LoadedSagaRepositoryQueryContext<TSaga, T>(repositoryContext, instances.ToList()));
    }

    public Task<T> Execute<T>(Func<LoadSagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class =>
        asyncMethod(new MartenQuerySagaRepositoryContext<TSaga>(session, cancellationToken));

    public Task<T> Execute<T>(Func<QuerySagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class =>
        asyncMethod(new MartenQuerySagaRepositoryContext<TSaga>(session, cancellationToken));

    public void Probe(ProbeContext context) => context.Add("persistence", "marten");
}

public sealed class MartenSagaRepositoryContext<TSaga, TMessage>(
    IDocumentSession session,
    ConsumeContext<TMessage> context,
    ISagaConsumeContextFactory<IDocumentSession, TSaga> factory)
    : ConsumeContextScope<TMessage>(context), SagaRepositoryContext<TSaga, TMessage>
    where TSaga : class, ISaga
    where TMessage : class
{
    public Task<SagaConsumeContext<TSaga, T>> CreateSagaConsumeContext<T>(ConsumeContext<T> consumeContext, TSaga instance, SagaConsumeContextMode mode)
        where T : class =>
        factory.CreateSagaConsumeContext(session, consumeContext, instance, mode);

    public Task<SagaConsumeContext<TSaga, TMessage>> Add(TSaga instance) =>
        factory.CreateSagaConsumeContext(session, this, instance, SagaConsumeContextMode.Add);

    public Task<SagaConsumeContext<TSaga, TMessage>> Insert(TSaga instance)
    {
        session.Insert(instance);
        return factory.CreateSagaConsumeContext(session, this, instance, SagaConsumeContextMode.Insert);
    }

    public async Task<SagaConsumeContext<TSaga, TMessage>> Load(Guid correlationId)
    {
        var instance = await session.LoadAsync<TSaga>(correlationId, CancellationToken);
        if (instance is IEventSourcedSaga { NeedsHistory: true } eventSourced)
            eventSourced.Replay((await session.Events.FetchStreamAsync(correlationId, token: CancellationToken)).Select(e => e.Data));
        return instance is null
            ? default!
            : await factory.CreateSagaConsumeContext(session, this, instance, SagaConsumeContextMode.Load);
    }

    public Task Save(SagaConsumeContext<TSaga> context)
    {
        // Insert, not upsert: two CheckoutRequested copies creating the same saga at once cannot both succeed.
        session.Insert(context.Saga);
        AppendPendingEvents(context.Saga);
        return Task.CompletedTask;
    }

    public Task Update(SagaConsumeContext<TSaga> context)
    {
        session.Update(context.Saga);
        AppendPendingEvents(context.Saga);
        return Task.CompletedTask;
    }

    public Task Delete(SagaConsumeContext<TSaga> context)
    {
        session.Delete(context.Saga);
        AppendPendingEvents(context.Saga);
        return Task.CompletedTask;
    }

    public Task Discard(SagaConsumeContext<TSaga> context) => Task.CompletedTask;

    public Task Undo(SagaConsumeContext<TSaga> context)
    {
        session.Eject(context.Saga);
        return Task.CompletedTask;
    }

    void AppendPendingEvents(TSaga saga)
    {
        if (saga is not IEventSourcedSaga { PendingEvents.Count: > 0 } eventSourced)
            return;
        session.Events.Append(eventSourced.CorrelationId, eventSourced.PendingEvents.ToArray());
        eventSourced.PendingEvents.Clear();
    }
}

public sealed class MartenQuerySagaRepositoryContext<TSaga>(IQuerySession session, CancellationToken cancellationToken)
    : BasePipeContext(cancellationToken), QuerySagaRepositoryContext<TSaga>, LoadSagaRepositoryContext<TSaga>
    where TSaga : class, ISaga
{
    public async Task<TSaga> Load(Guid correlationId) => (await session.LoadAsync<TSaga>(correlationId, CancellationToken))!;

    public async Task<SagaRepositoryQueryContext<TSaga>> Query(ISagaQuery<TSaga> query, CancellationToken cancellationToken = default)
    {
        var instances = await session.Query<TSaga>().Where(query.FilterExpression).ToListAsync(cancellationToken);
        return new LoadedSagaRepositoryQueryContext<TSaga>(this, instances.ToList());
    }
}
