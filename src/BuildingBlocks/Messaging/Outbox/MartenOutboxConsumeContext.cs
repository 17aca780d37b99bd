using Marten;
using MassTransit;
using MassTransit.Middleware;
using MassTransit.Middleware.Outbox;
using Shop.BuildingBlocks.Operations;

namespace Shop.BuildingBlocks.Messaging.Outbox;

/// <summary>
/// The consume context a consumer or saga sees inside the outbox: whatever it publishes, sends or schedules is captured
/// as <see cref="OutboxMessage"/> rows in the consumer's Marten session instead of going to the broker.
/// </summary>
public class MartenOutboxConsumeContext<TMessage> : OutboxConsumeContextProxy<TMessage>
    where TMessage : class
{
    readonly IDocumentSession _session;
    readonly InboxState _inbox;

    public MartenOutboxConsumeContext(ConsumeContext<TMessage> context, OutboxConsumeOptions options, IServiceProvider provider,
        IDocumentSession session, InboxState inbox)
        : base(context, options, provider)
    {
        _session = session;
        _inbox = inbox;
    }

    public override Guid? MessageId => _inbox.MessageId;
    public override bool ContinueProcessing { get; set; } = true;
    public override bool IsMessageConsumed => _inbox.Consumed.HasValue;
    public override bool IsOutboxDelivered => _inbox.Delivered.HasValue;
    public override int ReceiveCount => _inbox.ReceiveCount;
    public override long? LastSequenceNumber => _inbox.LastSequenceNumber;

    public override Task SetConsumed()
    {
        _inbox.Consumed = DateTime.UtcNow;
        return Task.CompletedTask;
    }

    public override Task SetDelivered()
    {
        _inbox.Delivered = DateTime.UtcNow;
        return Task.CompletedTask;
    }

    public override async Task<List<OutboxMessageContext>> LoadOutboxMessages()
    {
        var inboxMessageId = _inbox.MessageId;
        var consumerId = ConsumerId;
        var last = _inbox.LastSequenceNumber ?? 0;
        var messages = await _session.Query<OutboxMessage>()
            .Where(x => x.InboxMessageId == inboxMessageId && x.InboxConsumerId == consumerId && x.SequenceNumber > last)
            .OrderBy(x => x.SequenceNumber)
            .Take(Options.MessageDeliveryLimit + 1)
            .ToListAsync(CancellationToken);
        return messages.Select(m => (OutboxMessageContext)m.Deserialize(SerializerContext)).ToList();
    }

    public override Task NotifyOutboxMessageDelivered(OutboxMessageContext message)
    {
        _inbox.LastSequenceNumber = message.SequenceNumber;
        return Task.CompletedTask;
    }

    public override Task RemoveOutboxMessages()
    {
        var inboxMessageId = _inbox.MessageId;
        var consumerId = ConsumerId;
        _session.DeleteWhere<OutboxMessage>(x => x.InboxMessageId == inboxMessageId && x.InboxConsumerId == consumerId);
        return Task.CompletedTask;
    }

    public override Task AddSend<T>(SendContext<T> context)
    {
        // The acting user travels on with everything this message causes.
        ActingUser.Stamp(context.Headers, ActingUser.From(Headers));
        _session.Insert(OutboxMessage.From(context, SerializerContext, _inbox.MessageId, ConsumerId));
        return Task.CompletedTask;
    }
}
