using Marten;
using MassTransit;
using MassTransit.Configuration;
using MassTransit.Saga;
using Microsoft.Extensions.DependencyInjection;

namespace Shop.Messaging.Sagas;

public static class MartenSagaRegistration
{
    /// <summary>Persists the saga in Marten (see <see cref="MartenSagaRepositoryContextFactory{TSaga}"/>).</summary>
    public static ISagaRegistrationConfigurator<TSaga> MartenRepository<TSaga>(this ISagaRegistrationConfigurator<TSaga> configurator)
        where TSaga : class, ISaga
    {
        configurator.Repository(repository =>
        {
            repository.RegisterLoadSagaRepository<TSaga, MartenSagaRepositoryContextFactory<TSaga>>();
            repository.RegisterQuerySagaRepository<TSaga, MartenSagaRepositoryContextFactory<TSaga>>();
            repository.RegisterSagaRepository<TSaga, IDocumentSession, SagaConsumeContextFactory<IDocumentSession, TSaga>,
                MartenSagaRepositoryContextFactory<TSaga>>();
        });
        return configurator;
    }

    /// <summary>
    /// Maps the saga document: identity is the correlation id, writes are checked with optimistic concurrency, and the
    /// last-modified column is indexed for retention (<see cref="FinishedSagaRetention{TSaga}"/>).
    /// </summary>
    public static void AddSagaDocument<TSaga>(this StoreOptions options) where TSaga : class, ISaga =>
        options.Schema.For<TSaga>().Identity(x => x.CorrelationId).UseOptimisticConcurrency(true).IndexLastModified();

    /// <summary>Finished sagas of this type are removed after <see cref="MessagingOptions.FinishedSagaRetention"/>.</summary>
    public static IServiceCollection AddFinishedSagaRetention<TSaga>(this IServiceCollection services, IReadOnlyCollection<string> terminalStates,
        string stateField = "CurrentState")
        where TSaga : class, ISaga
    {
        services.AddSingleton(new FinishedSagaStates<TSaga>(terminalStates, stateField));
        services.AddScoped<IRetentionTask, FinishedSagaRetention<TSaga>>();
        return services;
    }
}
