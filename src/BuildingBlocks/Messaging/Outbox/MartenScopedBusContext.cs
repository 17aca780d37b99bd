using Marten;
using MassTransit;
using MassTransit.Clients;
using MassTransit.DependencyInjection;
using MassTransit.Middleware;
using MassTransit.Middleware.Outbox;
using MassTransit.Serialization;
using MassTransit.Transports;
using Microsoft.AspNetCore.Http;
using Shop.BuildingBlocks.Operations;

namespace Shop.BuildingBlocks.Messaging.Outbox;

/// <summary>
/// Outside a consumer (an HTTP handler), the scoped IPublishEndpoint / ISendEndpointProvider write outbox rows into the
/// request's Marten session. They reach RabbitMQ only if the handler's SaveChangesAsync commits: no dual writes.
/// </summary>
public sealed class MartenScopedBusContext(IBus bus, IDocumentSession session, IClientFactory clientFactory, IServiceProvider provider)
    : ScopedBusContext, OutboxSendContext
{
    readonly Guid _outboxId = NewId.NextGuid();
    IPublishEndpoint? _publishEndpoint;
    ISendEndpointProvider? _sendEndpointProvider;
    IScopedClientFactory? _clientFactory;

    public ISendEndpointProvider SendEndpointProvider => _sendEndpointProvider ??= new OutboxSendEndpointProvider(this, bus);
    public IPublishEndpoint PublishEndpoint => _publishEndpoint ??= new PublishEndpoint(new OutboxPublishEndpointProvider(this, bus));

    public IScopedClientFactory ClientFactory =>
        _clientFactory ??= new ScopedClientFactory(new ClientFactory(new ScopedClientFactoryContext(clientFactory, provider)), null);

    public Task AddSend<T>(SendContext<T> context) where T : class
    {
        var http = provider.GetService(typeof(IHttpContextAccessor)) as IHttpContextAccessor;
        ActingUser.Stamp(context.Headers, ActingUser.From(http?.HttpContext?.User));
        session.Insert(OutboxMessage.From(context, SystemTextJsonMessageSerializer.Instance, outboxId: _outboxId));
        return Task.CompletedTask;
    }

    public object? GetService(Type serviceType) => provider.GetService(serviceType);
}

/// <summary>Chooses the outbox-backed bus context when no message is being consumed in this scope.</summary>
public sealed class MartenScopedBusContextProvider : IScopedBusContextProvider<IBus>
{
    public MartenScopedBusContextProvider(IBus bus, IDocumentSession session, Bind<IBus, IClientFactory> clientFactory,
        Bind<IBus, IScopedConsumeContextProvider> busConsumeContextProvider, IScopedConsumeContextProvider globalConsumeContextProvider,
        IServiceProvider provider)
    {
        if (busConsumeContextProvider.Value.HasContext)
            Context = new ConsumeContextScopedBusContext(busConsumeContextProvider.Value.GetContext(), clientFactory.Value);
        else if (globalConsumeContextProvider.HasContext)
            Context = new ConsumeContextScopedBusContext(globalConsumeContextProvider.GetContext(), clientFactory.Value);
        else
            Context = new MartenScopedBusContext(bus, session, clientFactory.Value, provider);
    }

    public ScopedBusContext Context { get; }
}
