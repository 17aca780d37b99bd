using Marten;
using Marten.Services;
using MassTransit;
using MassTransit.Middleware;
using MassTransit.Middleware.Outbox;
using MassTransit.Scheduling;
using Microsoft.Extensions.DependencyInjection;

namespace Shop.Messaging.Outbox;

/// <summary>
/// The outbox of one unit of work (a consumed message or an HTTP request; scoped): every message sent, published or
/// scheduled through it becomes an outbox row queued into the scope's Marten session, so it exists only if that
/// session's transaction commits. After the commit the rows to send now go straight to the broker through
/// <see cref="OutboxDispatcher"/>; scheduled rows wait for the relay until they are due.
/// </summary>
public sealed class TransactionalOutbox : OutboxSendContext
{
    readonly IDocumentSession _session;
    readonly IBus _bus;
    readonly OutboxDispatcher _dispatcher;
    readonly MessagingTables _tables;
    readonly IReadOnlyList<IMessageContextPropagator> _propagators;
    readonly IServiceProvider _services;
    readonly TimeSpan _lease;
    readonly List<OutboxEnvelope> _uncommitted = [];
    readonly List<OutboxEnvelope> _committed = [];
    bool _listening;

    public TransactionalOutbox(IDocumentSession session, IBus bus, OutboxDispatcher dispatcher, MessagingTables tables,
        IEnumerable<IMessageContextPropagator> propagators, MessagingOptions options, IServiceProvider services)
    {
        _session = session;
        _bus = bus;
        _dispatcher = dispatcher;
        _tables = tables;
        _propagators = propagators.ToList();
        _services = services;
        _lease = options.DispatchLease;
    }

    /// <summary>The message being consumed, while this outbox belongs to a consumer's unit of work.</summary>
    public ConsumeContext? Cause { get; private set; }

    /// <summary>
    /// Whether a commit sends its messages at once, in the background (an HTTP request: its answer does not depend on the
    /// confirms, and a send that fails is the relay's after the lease). A consumer's unit of work instead awaits
    /// <see cref="DispatchCommitted"/>, so the consumed message is acknowledged after its messages are confirmed.
    /// </summary>
    internal bool DispatchOnCommit { get; set; } = true;

    /// <summary>Makes this the outbox of a consumer's unit of work.</summary>
    internal void BeginConsume(ConsumeContext cause)
    {
        Cause = cause;
        DispatchOnCommit = false;
    }

    /// <summary>Publish endpoint writing into this outbox (sends still address the real broker topology).</summary>
    public IPublishEndpointProvider PublishEndpointProvider(IPublishEndpointProvider broker) => new OutboxPublishEndpointProvider(this, broker);

    public ISendEndpointProvider SendEndpointProvider(ISendEndpointProvider broker) => new OutboxSendEndpointProvider(this, broker);

    /// <summary>A scheduler whose messages are rows of this outbox with a due time.</summary>
    public IMessageScheduler Scheduler(ISendEndpointProvider broker) =>
        new MessageScheduler(new OutboxScheduleMessageProvider(SendEndpointProvider(broker), CancelScheduled), _bus.Topology);

    public Task AddSend<T>(SendContext<T> context) where T : class
    {
        foreach (var propagator in _propagators)
            propagator.Stamp(context, Cause);
        var envelope = OutboxEnvelope.From(context);
        if (envelope.IsScheduled)
            OutboxRows.QueueInsert(_session, _tables, envelope);
        else
        {
            // Sent by this process right after the commit; the relay takes it only if that has not happened within the lease.
            OutboxRows.QueueInsert(_session, _tables, envelope, _lease);
            _uncommitted.Add(envelope);
        }
        ListenForCommit();
        return Task.CompletedTask;
    }

    /// <summary>Removes a scheduled message in the same transaction (its row id is the scheduling token).</summary>
    public Task CancelScheduled(Guid tokenId)
    {
        _session.QueueSqlCommand($"delete from {_tables.Outbox} where id = ?", tokenId);
        ListenForCommit();
        return Task.CompletedTask;
    }

    /// <summary>Sends what the last commits produced and waits for the broker's confirms (a consumer's unit of work).</summary>
    public Task DispatchCommitted(CancellationToken cancellationToken)
    {
        if (_committed.Count == 0)
            return Task.CompletedTask;
        var envelopes = _committed.ToArray();
        _committed.Clear();
        return _dispatcher.Dispatch(envelopes, cancellationToken);
    }

    /// <summary>Forgets messages that will not commit (the unit of work failed or was a duplicate).</summary>
    internal void Discard()
    {
        _uncommitted.Clear();
        _committed.Clear();
    }

    void ListenForCommit()
    {
        if (_listening)
            return;
        _session.Listeners.Add(new CommitListener(this));
        _listening = true;
    }

    public object? GetService(Type serviceType) => _services.GetService(serviceType);

    void Committed()
    {
        _committed.AddRange(_uncommitted);
        _uncommitted.Clear();
        if (!DispatchOnCommit)
            return;
        _dispatcher.DispatchInBackground(_committed.ToArray());
        _committed.Clear();
    }

    sealed class CommitListener(TransactionalOutbox outbox) : DocumentSessionListenerBase
    {
        public override Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
        {
            outbox.Committed();
            return Task.CompletedTask;
        }
    }
}

/// <summary>Stamps what a message carries on from whatever caused it (e.g. the acting user): BuildingBlocks registers these.</summary>
public interface IMessageContextPropagator
{
    /// <summary>Called for every outgoing message before it is stored. <paramref name="cause"/> is null outside a consumer.</summary>
    void Stamp(SendContext message, ConsumeContext? cause);

    /// <summary>Called once per consumed message on the unit of work's session, before the consumer runs.</summary>
    void Prepare(IDocumentSession session, ConsumeContext message);
}
