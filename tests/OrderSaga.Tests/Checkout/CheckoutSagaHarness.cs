using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Shop.Contracts;
using Shop.Contracts.Carts;
using Shop.OrderSaga.Checkout;
using Xunit;

namespace Shop.OrderSaga.Tests.Checkout;

/// <summary>The checkout state machine in MassTransit's test harness (in-memory transport and repository).</summary>
public sealed class CheckoutSagaHarness : IAsyncLifetime
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    ServiceProvider _provider = null!;

    public ITestHarness Harness { get; private set; } = null!;
    public ISagaStateMachineTestHarness<CheckoutStateMachine, CheckoutState> Saga { get; private set; } = null!;
    public CheckoutStateMachine Machine => Saga.StateMachine;

    public async Task InitializeAsync()
    {
        _provider = new ServiceCollection()
            // A logger factory without providers keeps the harness's console chatter out of the test report.
            .AddLogging()
            .AddMassTransitTestHarness(x =>
            {
                x.AddSagaStateMachine<CheckoutStateMachine, CheckoutState>().InMemoryRepository();
                x.SetTestTimeouts(testInactivityTimeout: TimeSpan.FromSeconds(3));
            })
            .BuildServiceProvider(true);
        Harness = _provider.GetRequiredService<ITestHarness>();
        await Harness.Start();
        Saga = Harness.GetSagaStateMachineHarness<CheckoutStateMachine, CheckoutState>();
    }

    public async Task DisposeAsync()
    {
        await Harness.Stop();
        await _provider.DisposeAsync();
    }

    public static CheckoutRequested Checkout(Guid orderId, string paymentMethod = "pm_card_visa") =>
        new(orderId, Guid.NewGuid(), Guid.NewGuid(), "ada@shop.test", "Ada",
            [new OrderLine(Guid.NewGuid(), "MUG-1", "Mug", 12.50m, 2), new OrderLine(Guid.NewGuid(), "BOOK-1", "Book", 30m, 1)],
            55m, "EUR", paymentMethod, null, DateTimeOffset.UtcNow);

    public async Task<CheckoutState> InState(Guid orderId, Func<CheckoutStateMachine, State> state)
    {
        var found = await Saga.Exists(orderId, state, Timeout);
        Assert.True(found.HasValue, $"saga {orderId} did not reach {state(Machine).Name}; it is in {Saga.Sagas.Contains(orderId)?.CurrentState ?? "(none)"}");
        return Saga.Sagas.Contains(orderId)!;
    }

    public async Task<T> Sent<T>(Guid orderId) where T : class
    {
        Assert.True(await Harness.Sent.Any<T>(m => m.Context.CorrelationId == orderId || Matches(m.Context.Message, orderId)),
            $"{typeof(T).Name} was not sent for {orderId}");
        return Harness.Sent.Select<T>(m => Matches(m.Context.Message, orderId)).First().Context.Message;
    }

    public async Task<T> Published<T>(Guid orderId) where T : class
    {
        Assert.True(await Harness.Published.Any<T>(m => Matches(m.Context.Message, orderId)), $"{typeof(T).Name} was not published for {orderId}");
        return Harness.Published.Select<T>(m => Matches(m.Context.Message, orderId)).First().Context.Message;
    }

    public int SentCount<T>(Guid orderId) where T : class => Harness.Sent.Select<T>(m => Matches(m.Context.Message, orderId)).Count();

    static bool Matches(object message, Guid orderId) => message.GetType().GetProperty("OrderId")?.GetValue(message) is Guid id && id == orderId;
}
