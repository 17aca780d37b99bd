using MassTransit;
using MassTransit.Configuration;
using MassTransit.Context;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Shop.Messaging.Inbox;
using Shop.Messaging.Outbox;

namespace Shop.Messaging;

public static class MessagingRegistration
{
    /// <summary>
    /// The services of the messaging core: the scoped outbox, the dispatcher, the relay, the cleaner of sent rows,
    /// retention, and transactional <see cref="IPublishEndpoint"/> / <see cref="ISendEndpointProvider"/> /
    /// <see cref="IMessageScheduler"/> for code that runs outside a consumer (HTTP handlers). Needs an NpgsqlDataSource,
    /// a Marten document store with <see cref="MessagingTables.Register"/> applied, and the <see cref="MessagingTables"/>
    /// singleton; call before AddMassTransit.
    /// </summary>
    public static IServiceCollection AddTransactionalMessaging(this IServiceCollection services, MessagingOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<RetryLog>();
        services.AddSingleton<MessagingCounters>();
        services.AddSingleton<OutboxDispatcher>();
        services.AddSingleton<SentOutboxCleaner>();
        services.AddHostedService(provider => provider.GetRequiredService<SentOutboxCleaner>());
        services.AddSingleton<OutboxRelay>();
        services.AddHostedService(provider => provider.GetRequiredService<OutboxRelay>());
        services.AddHostedService<MessagingRetention>();
        services.AddSingleton<DirectOutbox>();
        services.AddScoped<TransactionalOutbox>();
        services.AddScoped<IMessageScheduler>(provider =>
            provider.GetRequiredService<TransactionalOutbox>().Scheduler(provider.GetRequiredService<IBus>()));
        return services;
    }

    /// <summary>Inside AddMassTransit: HTTP handlers' publish/send endpoints write into the request's outbox.</summary>
    public static void UseTransactionalOutboxOutsideConsumers(this IBusRegistrationConfigurator bus) =>
        bus.ReplaceScoped<MassTransit.DependencyInjection.IScopedBusContextProvider<IBus>, OutboxScopedBusContextProvider>();

    /// <summary>
    /// Per receive endpoint: its scheduler writes outbox rows (no scheduler queue), failures are retried in place and
    /// then redelivered later, and every consumer and saga runs in a unit of work (<see cref="UnitOfWorkFilter{TMessage}"/>).
    /// Its inbox records name the endpoint, or <paramref name="inboxEndpoint"/>: an endpoint that takes part of another's
    /// messages (the new work's intake) records them as that endpoint's, so a copy in each queue is handled once.
    /// </summary>
    public static void UseTransactionalMessaging(this IReceiveEndpointConfigurator endpoint, IRegistrationContext context, string? inboxEndpoint = null)
    {
        var options = context.GetRequiredService<MessagingOptions>();
        var direct = context.GetRequiredService<DirectOutbox>();
        endpoint.PrefetchCount = options.PrefetchCount;
        endpoint.ConcurrentMessageLimit = options.ConcurrentMessageLimit;
        // Messages of one correlation (one order) are consumed one after another within an instance: two at once would
        // only make one of them lose its optimistic-concurrency check (on the saga, the order's tracking feed...) and
        // be retried. Messages of different orders still run side by side.
        endpoint.UsePartitioner(options.ConcurrentMessageLimit, consume => consume.CorrelationId ?? consume.MessageId ?? Guid.Empty);

        // Scheduling outside a unit of work — MassTransit's scheduled redelivery, after the consumer's transaction rolled
        // back — writes its row at once. A pre-pipe, so it is there before any filter that may need it.
        endpoint.AddPrePipeSpecification(new SchedulerPayloadFilter(consume =>
            direct.Scheduler(consume.ReceiveContext.SendEndpointProvider, consume.GetPayload<IBusTopology>())));
        // Transient failures (optimistic concurrency conflicts above all) are retried in place; then the message is
        // redelivered later (a dependency may be down for minutes); what still fails lands in <queue>_error with its
        // fault headers, listed and re-driven through /admin/errors.
        if (options.RedeliveryIntervals.Count > 0)
            endpoint.UseScheduledRedelivery(r => r.Intervals(options.RedeliveryIntervals.ToArray()));
        if (options.RetryIntervals.Count > 0)
            endpoint.UseMessageRetry(r =>
            {
                r.Intervals(options.RetryIntervals.ToArray());
                r.ConnectRetryObserver(context.GetRequiredService<RetryLog>());
            });

        var unitOfWork = new UnitOfWorkObserver(inboxEndpoint ?? endpoint.InputAddress.AbsolutePath.Split('/')[^1], context);
        endpoint.ConnectConsumerConfigurationObserver(unitOfWork);
        endpoint.ConnectSagaConfigurationObserver(unitOfWork);
    }

    /// <summary>Makes the endpoint's scheduler available to the filters after it (scheduled redelivery needs one).</summary>
    sealed class SchedulerPayloadFilter(MessageSchedulerFactory factory) : IFilter<ConsumeContext>, IPipeSpecification<ConsumeContext>
    {
        public void Apply(IPipeBuilder<ConsumeContext> builder) => builder.AddFilter(this);

        public IEnumerable<ValidationResult> Validate() => [];

        public Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
        {
            context.GetOrAddPayload<MessageSchedulerContext>(() => new ConsumeMessageSchedulerContext(context, factory));
            return next.Send(context);
        }

        public void Probe(ProbeContext context) => context.CreateFilterScope("scheduler").Add("type", "outbox");
    }
}
