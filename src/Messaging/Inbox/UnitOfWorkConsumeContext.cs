using MassTransit;
using MassTransit.Context;
using Shop.Messaging.Outbox;

namespace Shop.Messaging.Inbox;

/// <summary>
/// What a consumer or saga sees while its unit of work runs: the consumed message, with every send, publish, respond
/// and schedule going into the unit of work's <see cref="TransactionalOutbox"/> instead of to the broker.
/// </summary>
sealed class UnitOfWorkConsumeContext<TMessage> : ConsumeContextProxy<TMessage>
    where TMessage : class
{
    public UnitOfWorkConsumeContext(ConsumeContext<TMessage> context, TransactionalOutbox outbox)
        : base(context)
    {
        var receive = new OutboxReceiveContext(context.ReceiveContext, outbox);
        ReceiveContext = receive;
        PublishEndpointProvider = receive.PublishEndpointProvider;
        var scheduler = outbox.Scheduler(context.ReceiveContext.SendEndpointProvider);
        // The payload lives in this proxy's scope: the endpoint's own scheduler (scheduled redelivery) is untouched.
        AddOrUpdatePayload<MessageSchedulerContext>(
            () => new ConsumeMessageSchedulerContext(this, _ => scheduler),
            _ => new ConsumeMessageSchedulerContext(this, _ => scheduler));
    }

    sealed class OutboxReceiveContext : ReceiveContextProxy
    {
        public OutboxReceiveContext(ReceiveContext context, TransactionalOutbox outbox)
            : base(context)
        {
            SendEndpointProvider = outbox.SendEndpointProvider(context.SendEndpointProvider);
            PublishEndpointProvider = outbox.PublishEndpointProvider(context.PublishEndpointProvider);
        }

        public override ISendEndpointProvider SendEndpointProvider { get; }
        public override IPublishEndpointProvider PublishEndpointProvider { get; }
    }
}
