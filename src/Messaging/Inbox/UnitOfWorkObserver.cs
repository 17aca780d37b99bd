using System.Reflection;
using MassTransit;
using MassTransit.DependencyInjection;

namespace Shop.Messaging.Inbox;

/// <summary>
/// Puts a <see cref="UnitOfWorkFilter{TMessage}"/> around every consumer and saga of an endpoint, for each message type
/// it handles. Its inbox key names the endpoint and the consumer, so two consumers of one message each handle it once.
/// </summary>
sealed class UnitOfWorkObserver(string endpointName, IRegistrationContext registration) : IConsumerConfigurationObserver, ISagaConfigurationObserver
{
    public void ConsumerConfigured<TConsumer>(IConsumerConfigurator<TConsumer> configurator) where TConsumer : class
    {
    }

    public void ConsumerMessageConfigured<TConsumer, TMessage>(IConsumerMessageConfigurator<TConsumer, TMessage> configurator)
        where TConsumer : class
        where TMessage : class =>
        Pipe(configurator as IConsumerMessageConfigurator<TMessage>).UseFilter(Filter<TMessage>(typeof(TConsumer)));

    public void SagaConfigured<TSaga>(ISagaConfigurator<TSaga> configurator) where TSaga : class, ISaga
    {
    }

    public void StateMachineSagaConfigured<TInstance>(ISagaConfigurator<TInstance> configurator, SagaStateMachine<TInstance> stateMachine)
        where TInstance : class, ISaga, SagaStateMachineInstance
    {
    }

    public void SagaMessageConfigured<TSaga, TMessage>(ISagaMessageConfigurator<TSaga, TMessage> configurator)
        where TSaga : class, ISaga
        where TMessage : class =>
        Pipe(configurator as ISagaMessageConfigurator<TMessage>).UseFilter(Filter<TMessage>(typeof(TSaga)));

    static IPipeConfigurator<ConsumeContext<TMessage>> Pipe<TMessage>(IPipeConfigurator<ConsumeContext<TMessage>>? configurator) where TMessage : class =>
        configurator ?? throw new ConfigurationException($"The unit of work cannot be added to the pipe of {typeof(TMessage).Name}");

    UnitOfWorkFilter<TMessage> Filter<TMessage>(Type consumer) where TMessage : class =>
        new(new ConsumeScopeProvider(registration), $"{endpointName}/{consumer.Name}",
            consumer.GetCustomAttribute<CallsRemoteServicesAttribute>() is null);
}
