using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Shop.Contracts;
using Shop.Contracts.Carts;
using Shop.Contracts.Inventory;
using Shop.Contracts.Notifications;
using Shop.Contracts.Orders;
using Shop.Contracts.Payments;
using Shop.OrderSaga.Checkout;
using Xunit;

namespace Shop.OrderSaga.Tests.Checkout;

/// <summary>
/// One checkout in MassTransit's test harness (in-memory transport, repository and delayed scheduler). The "When"
/// steps deliver what the customer and the other services would say and wait until the saga has consumed it; the
/// "Should" steps assert what the saga did. To write a new scenario, copy a spec in CheckoutSagaSpecs and change the
/// steps.
/// </summary>
public sealed class CheckoutScenario : IAsyncDisposable
{
    static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    readonly ServiceProvider _provider;
    readonly ITestHarness _harness;
    readonly ISagaStateMachineTestHarness<CheckoutStateMachine, CheckoutState> _saga;

    public Guid OrderId { get; } = NewId.NextGuid();
    public Guid CustomerId { get; } = NewId.NextGuid();
    public const decimal Total = 55m;
    public TimeSpan PaymentTimeout { get; }

    CheckoutScenario(ServiceProvider provider, TimeSpan paymentTimeout)
    {
        _provider = provider;
        PaymentTimeout = paymentTimeout;
        _harness = provider.GetRequiredService<ITestHarness>();
        _saga = _harness.GetSagaStateMachineHarness<CheckoutStateMachine, CheckoutState>();
    }

    public static async Task<CheckoutScenario> Start(TimeSpan? paymentTimeout = null, TimeSpan? returnWindow = null)
    {
        var timeout = paymentTimeout ?? TimeSpan.FromMinutes(5);
        var provider = new ServiceCollection()
            // A logger factory without providers keeps the harness's console chatter out of the test report.
            .AddLogging()
            .Configure<CheckoutOptions>(o =>
            {
                o.PaymentTimeout = timeout;
                o.ReturnWindow = returnWindow ?? TimeSpan.FromDays(14);
            })
            .AddMassTransitTestHarness(x =>
            {
                x.AddSagaStateMachine<CheckoutStateMachine, CheckoutState>().InMemoryRepository();
                x.AddDelayedMessageScheduler();
                // The harness stops waiting for good once the bus has been idle this long, so it must outlast a whole
                // scenario on a busy machine. Positive checks return as soon as they hold; negative ones never wait.
                x.SetTestTimeouts(testTimeout: TimeSpan.FromSeconds(60), testInactivityTimeout: TimeSpan.FromSeconds(60));
                x.UsingInMemory((context, cfg) =>
                {
                    cfg.UseDelayedMessageScheduler();
                    cfg.ConfigureEndpoints(context);
                });
            })
            .BuildServiceProvider(true);
        var scenario = new CheckoutScenario(provider, timeout);
        await scenario._harness.Start();
        return scenario;
    }

    CheckoutStateMachine Machine => _saga.StateMachine;

    // ---- When: the customer and the other services speak

    public Task CustomerChecksOut(string paymentMethod = "pm_card_visa") =>
        Deliver(new CheckoutRequested(OrderId, NewId.NextGuid(), CustomerId, "ada@shop.test", "Ada",
            [new OrderLine(NewId.NextGuid(), "MUG-1", "Mug", 12.50m, 2), new OrderLine(NewId.NextGuid(), "BOOK-1", "Book", 30m, 1)],
            Total, "EUR", paymentMethod, null, DateTimeOffset.UtcNow));

    public Task InventoryReservesStock() => Deliver(new StockReserved(OrderId, DateTimeOffset.UtcNow.AddMinutes(15)));
    public Task InventoryIsOutOfStock() => Deliver(new StockReservationFailed(OrderId, "OutOfStock", [NewId.NextGuid()]));
    public Task InventoryExpiresTheReservation() => Deliver(new StockReservationExpired(OrderId, DateTimeOffset.UtcNow));
    public Task InventoryFailsToCommit(string reason = "ReservationExpired") => Deliver(new StockCommitFailed(OrderId, reason));
    public Task PaymentIsCaptured(string paymentId = "pi_1") => Deliver(new PaymentCaptured(OrderId, paymentId, "simulated", Total, "EUR"));
    public Task PaymentIsDeclined() => Deliver(new PaymentFailed(OrderId, "Your card was declined.", "generic_decline"));
    public Task PaymentIsRefunded() => Deliver(new PaymentRefunded(OrderId, "re_1", Total, "EUR"));
    public Task RefundFails() => Deliver(new RefundFailed(OrderId, "charge_already_refunded"));
    public Task CustomerIsNotified(string kind = nameof(OrderConfirmed)) => Deliver(new CustomerNotified(OrderId, kind, "email", DateTimeOffset.UtcNow));
    public Task NotificationFails(string kind = nameof(OrderConfirmed)) =>
        Deliver(new CustomerNotificationFailed(OrderId, kind, "email", "SMTP unreachable", DateTimeOffset.UtcNow));
    public Task CustomerCancels() => Deliver(new CancelOrder(OrderId, CustomerId, "CancelledByCustomer"));
    public Task AdminShips(string? tracking = "TRACK-1") => Deliver(new ShipOrder(OrderId, NewId.NextGuid(), tracking));
    public Task CustomerAsksForReturn(string reason = "Too small") => Deliver(new RequestReturn(OrderId, CustomerId, reason));
    public Task AdminReceivesTheReturn() => Deliver(new RecordReturnReceived(OrderId, NewId.NextGuid()));
    public Task InventoryRestocks() => Deliver(new StockRestocked(OrderId, DateTimeOffset.UtcNow));

    /// <summary>Checkout, reservation, capture (confirmed) and the confirmation email: the order is Completed.</summary>
    public async Task OrderIsCompleted()
    {
        await CustomerChecksOut();
        await InventoryReservesStock();
        await PaymentIsCaptured();
        await CustomerIsNotified();
        await ShouldBeIn(s => s.Completed);
    }

    /// <summary>Waits for the scheduled payment timeout to reach the saga (the delayed scheduler delivers it).</summary>
    public async Task PaymentTimeoutElapses() =>
        Assert.True(await _saga.Consumed.Any<PaymentTimedOut>(m => m.Context.Message.OrderId == OrderId),
            "the payment timeout did not reach the saga");

    /// <summary>Lets scheduled messages that are not current any more arrive (and be ignored).</summary>
    public Task TimePasses(TimeSpan time) => Task.Delay(time);

    async Task Deliver<T>(T message) where T : class
    {
        var messageId = NewId.NextGuid();
        await _harness.Bus.Publish(message, context => context.MessageId = messageId);
        // Received by the saga's endpoint, whether the saga acted on it or (a straggler) ignored it.
        Assert.True(await _harness.Consumed.Any<T>(m => m.Context.MessageId == messageId),
            $"the saga's endpoint did not consume {typeof(T).Name}");
    }

    // ---- Should: what the saga did

    public async Task<CheckoutState> ShouldBeIn(Func<CheckoutStateMachine, State> state)
    {
        var expected = state(Machine);
        var found = await _saga.Exists(OrderId, _ => expected, Wait);
        Assert.True(found.HasValue, $"expected the order in {expected.Name}, it is in {_saga.Sagas.Contains(OrderId)?.CurrentState ?? "(no saga)"}");
        return _saga.Sagas.Contains(OrderId)!;
    }

    public async Task<T> ShouldHaveSent<T>(int times = 1) where T : class
    {
        Assert.True(await _harness.Sent.Any<T>(m => IsMine(m.Context.Message)), $"{typeof(T).Name} was not sent");
        var sent = _harness.Sent.Select<T>(m => IsMine(m.Context.Message), Now).Select(m => m.Context.Message).ToList();
        Assert.True(sent.Count == times, $"{typeof(T).Name} was sent {sent.Count} times, expected {times}");
        return sent[0];
    }

    public void ShouldNotHaveSent<T>() where T : class =>
        Assert.Empty(_harness.Sent.Select<T>(m => IsMine(m.Context.Message), Now));

    public async Task<T> ShouldHavePublished<T>(int times = 1) where T : class
    {
        Assert.True(await _harness.Published.Any<T>(m => IsMine(m.Context.Message)), $"{typeof(T).Name} was not published");
        var published = _harness.Published.Select<T>(m => IsMine(m.Context.Message), Now).Select(m => m.Context.Message).ToList();
        Assert.True(published.Count == times, $"{typeof(T).Name} was published {published.Count} times, expected {times}");
        return published[0];
    }

    public void ShouldNotHavePublished<T>() where T : class =>
        Assert.Empty(_harness.Published.Select<T>(m => IsMine(m.Context.Message), Now));

    /// <summary>The order's history as the Marten repository appends it to the order stream, in order.</summary>
    public void ShouldHaveRecorded(params Type[] history) =>
        Assert.Equal(history.Select(t => t.Name), _saga.Sagas.Contains(OrderId)!.PendingEvents.Select(e => e.GetType().Name));

    /// <summary>A cancelled token makes the harness's Select list what is there now instead of waiting for more.</summary>
    static readonly CancellationToken Now = new(canceled: true);

    bool IsMine(object message) => message.GetType().GetProperty("OrderId")?.GetValue(message) is Guid id && id == OrderId;

    public async ValueTask DisposeAsync()
    {
        await _harness.Stop();
        await _provider.DisposeAsync();
    }
}
