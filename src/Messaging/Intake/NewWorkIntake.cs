using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Shop.Messaging.Intake;

/// <summary>
/// A service's new work waits in a queue of its own while the work already started keeps the service busy. Messages of
/// <c>TMessage</c> (a new order's checkout) are bound to the intake queue instead of the service's main queue, and the
/// intake endpoint takes one only while the main endpoint's <see cref="NewWorkGate"/> is open. Under a load beyond what
/// the machine completes, the main queue (the orders already in flight) is served first and keeps completing at the
/// sustained rate, while new work waits its turn; first come, first served in one queue spread the service over every
/// order in flight, so each finished late.
/// <para>
/// RabbitMQ priorities would do the same inside one queue, but <c>x-max-priority</c> cannot be added to a queue that
/// exists: every installation would have to drain and re-create its main queue. Moving one binding is an upgrade
/// without a migration: a fresh main endpoint no longer binds <c>TMessage</c>, and once the intake endpoint is up the
/// binding an earlier version left on the main exchange is removed (<see cref="RemoveEarlierBinding"/>). A copy that
/// reached both queues in between is handled once: the intake endpoint records what it consumes in the inbox under the
/// main endpoint's name, so whichever copy comes second is dropped as a duplicate, whatever the handler.
/// </para>
/// </summary>
public sealed class NewWorkIntake
{
    readonly Action<IReceiveEndpointConfigurator> _leaveOutOfMain;
    readonly Action<IReceiveEndpointConfigurator> _bindToIntake;
    readonly Func<IBus, string> _exchangeName;
    readonly Action<IReceiveEndpointConfigurator, IRegistrationContext> _configureHandlers;
    NewWorkGate? _gate;

    NewWorkIntake(string queue, Type messageType, Action<IReceiveEndpointConfigurator> leaveOutOfMain,
        Action<IReceiveEndpointConfigurator> bindToIntake, Func<IBus, string> exchangeName,
        Action<IReceiveEndpointConfigurator, IRegistrationContext> configureHandlers)
    {
        Queue = queue;
        MessageType = messageType;
        _leaveOutOfMain = leaveOutOfMain;
        _bindToIntake = bindToIntake;
        _exchangeName = exchangeName;
        _configureHandlers = configureHandlers;
    }

    /// <summary>
    /// New work is <typeparamref name="TMessage"/>, waiting in <paramref name="queue"/> and handled there by what
    /// <paramref name="configureHandlers"/> configures (e.g. <c>ConfigureSaga&lt;T&gt;(context)</c>): the registered
    /// consumers and sagas that handle it, which stay on the main endpoint too for what an earlier version queued there.
    /// </summary>
    public static NewWorkIntake For<TMessage>(string queue, Action<IReceiveEndpointConfigurator, IRegistrationContext> configureHandlers)
        where TMessage : class =>
        new(queue, typeof(TMessage),
            main => main.ConfigureMessageTopology<TMessage>(false),
            intake => ((IRabbitMqReceiveEndpointConfigurator)intake).Bind<TMessage>(),
            bus => bus.Topology.Message<TMessage>().EntityName,
            configureHandlers);

    public string Queue { get; }
    public Type MessageType { get; }

    /// <summary>The gate between the two endpoints, once the main endpoint is configured.</summary>
    public NewWorkGate Gate => _gate ?? throw new InvalidOperationException("The main endpoint is not configured yet");

    /// <summary>
    /// On the service's main endpoint, before its other filters: no binding for the new work, and its messages counted by
    /// the gate.
    /// </summary>
    public void ConfigureMainEndpoint(IReceiveEndpointConfigurator endpoint, MessagingOptions options)
    {
        _gate = new NewWorkGate(options.ConcurrentMessageLimit);
        _leaveOutOfMain(endpoint);
        endpoint.UseFilter(new CountInProgress(_gate));
    }

    /// <summary>
    /// The intake endpoint: bound to the new work's messages only, waiting at the gate before each, then consumed like any
    /// message of the main endpoint (<see cref="MessagingRegistration.UseTransactionalMessaging"/>, its inbox records
    /// included) by its handlers.
    /// </summary>
    public void ConfigureIntakeEndpoint(IRabbitMqBusFactoryConfigurator bus, IBusRegistrationContext context, RabbitMqSettings rabbit,
        string mainQueue)
    {
        var options = context.GetRequiredService<MessagingOptions>();
        // Fails the start, not every message, when no endpoint of the service took the name of the main queue.
        _ = Gate;
        bus.ReceiveEndpoint(Queue, endpoint =>
        {
            endpoint.ConfigureConsumeTopology = false;
            _bindToIntake(endpoint);
            endpoint.UseFilter(new WaitAtGate(this));
            endpoint.UseTransactionalMessaging(context, inboxEndpoint: mainQueue);
            endpoint.ConcurrentMessageLimit = options.IntakeConcurrentMessageLimit;
            endpoint.PrefetchCount = options.IntakeConcurrentMessageLimit * 2;
            endpoint.ConnectReceiveEndpointObserver(new EarlierBindingRemover(this, context, rabbit, mainQueue));
            _configureHandlers(endpoint, context);
        });
    }

    /// <summary>Removes the binding of the new work's exchange to the main queue's exchange that an earlier version made.</summary>
    public async Task RemoveEarlierBinding(IBus bus, RabbitMqSettings rabbit, string mainQueue, CancellationToken cancellationToken)
    {
        await using var connection = await rabbit.Connect($"{Queue}-topology", cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        await channel.ExchangeUnbindAsync(destination: mainQueue, source: _exchangeName(bus), routingKey: "", cancellationToken: cancellationToken);
    }

    /// <summary>Outermost on the main endpoint, so a message waiting between its retries still counts as in progress.</summary>
    sealed class CountInProgress(NewWorkGate gate) : IFilter<ConsumeContext>
    {
        public async Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
        {
            gate.Started();
            try
            {
                await next.Send(context);
            }
            finally
            {
                gate.Finished();
            }
        }

        public void Probe(ProbeContext context) => context.CreateFilterScope("newWorkGate").Add("counts", "inProgress");
    }

    sealed class WaitAtGate(NewWorkIntake intake) : IFilter<ConsumeContext>
    {
        public async Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
        {
            await intake.Gate.WhenOpen(context.CancellationToken);
            await next.Send(context);
        }

        public void Probe(ProbeContext context) => context.CreateFilterScope("newWorkGate");
    }

    /// <summary>Each time the intake endpoint is ready (its binding declared), the earlier binding goes; a failure is only logged.</summary>
    sealed class EarlierBindingRemover(NewWorkIntake intake, IBusRegistrationContext context, RabbitMqSettings rabbit, string mainQueue)
        : IReceiveEndpointObserver
    {
        public async Task Ready(ReceiveEndpointReady ready)
        {
            try
            {
                await intake.RemoveEarlierBinding(context.GetRequiredService<IBus>(), rabbit, mainQueue, CancellationToken.None);
            }
            catch (Exception exception)
            {
                context.GetRequiredService<ILogger<NewWorkIntake>>().LogWarning(exception,
                    "Could not remove the binding of {MessageType} to {Queue}; its messages may reach both queues (each is handled once, the other copy dropped by the inbox)",
                    intake.MessageType.Name, mainQueue);
            }
        }

        public Task Stopping(ReceiveEndpointStopping stopping) => Task.CompletedTask;
        public Task Completed(ReceiveEndpointCompleted completed) => Task.CompletedTask;
        public Task Faulted(ReceiveEndpointFaulted faulted) => Task.CompletedTask;
    }
}
