using MassTransit;
using MassTransit.Clients;
using MassTransit.DependencyInjection;
using MassTransit.Transports;

namespace Shop.Messaging.Outbox;

/// <summary>
/// Outside a consumer (an HTTP handler, a background job with its own scope), the scoped IPublishEndpoint and
/// ISendEndpointProvider write into the scope's <see cref="TransactionalOutbox"/>: the messages exist only if the
/// handler's SaveChangesAsync commits, and are sent right after it. Inside a consumer they are the consume context's
/// (which the unit of work has already pointed at the same outbox).
/// </summary>
public sealed class OutboxScopedBusContextProvider : IScopedBusContextProvider<IBus>
{
    public OutboxScopedBusContextProvider(IBus bus, TransactionalOutbox outbox, Bind<IBus, IClientFactory> clientFactory,
        Bind<IBus, IScopedConsumeContextProvider> busConsumeContextProvider, IScopedConsumeContextProvider globalConsumeContextProvider,
        IServiceProvider provider)
    {
        if (busConsumeContextProvider.Value.HasContext)
            Context = new ConsumeContextScopedBusContext(busConsumeContextProvider.Value.GetContext(), clientFactory.Value);
        else if (globalConsumeContextProvider.HasContext)
            Context = new ConsumeContextScopedBusContext(globalConsumeContextProvider.GetContext(), clientFactory.Value);
        else
            Context = new OutboxScopedBusContext(bus, outbox, clientFactory.Value, provider);
    }

    public ScopedBusContext Context { get; }

    sealed class OutboxScopedBusContext(IBus bus, TransactionalOutbox outbox, IClientFactory clientFactory, IServiceProvider provider)
        : ScopedBusContext
    {
        ISendEndpointProvider? _send;
        IPublishEndpoint? _publish;
        IScopedClientFactory? _clients;

        public ISendEndpointProvider SendEndpointProvider => _send ??= outbox.SendEndpointProvider(bus);

        public IPublishEndpoint PublishEndpoint => _publish ??= new PublishEndpoint(outbox.PublishEndpointProvider(bus));

        public IScopedClientFactory ClientFactory =>
            _clients ??= new ScopedClientFactory(new ClientFactory(new ScopedClientFactoryContext(clientFactory, provider)), null);
    }
}
