using Marten;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Shop.BuildingBlocks.Messaging;
using Shop.Messaging;
using Shop.Messaging.Sagas;
using MassTransit.Saga;
using Shop.Contracts;
using Shop.Contracts.Carts;
using Shop.Contracts.Inventory;
using Shop.Contracts.Notifications;
using Shop.Contracts.Payments;
using Shop.OrderSaga.Checkout;
using Shop.OrderSaga.Orders;
using Shop.OrderSaga.Orders.Projections;
using Xunit;

namespace Shop.OrderSaga.Tests.Persistence;

/// <summary>The saga persisted by the Marten saga repository, in the real service, over real PostgreSQL and RabbitMQ.</summary>
public sealed class MartenSagaRepositoryTests(OrderSagaHostFixture fixture) : IClassFixture<OrderSagaHostFixture>
{
    readonly OrderSagaHost _host = fixture.Host;
    IDocumentStore Store => _host.Services.GetRequiredService<IDocumentStore>();

    [Fact]
    public async Task Saga_state_order_stream_and_outgoing_commands_commit_together_through_to_completion()
    {
        var orderId = NewId.NextGuid();

        await _host.Bus.Publish(Checkout(orderId));
        await OrderSagaHost.Eventually(async () => _host.ReserveStock.Any(c => c.Message.OrderId == orderId), "ReserveStock sent to inventory");

        await using (var session = Store.QuerySession())
        {
            var saga = await session.LoadAsync<CheckoutState>(orderId);
            Assert.Equal(nameof(CheckoutStateMachine.AwaitingStock), saga!.CurrentState);
            var events = await session.Events.FetchStreamAsync(orderId);
            var placed = Assert.Single(events);
            Assert.IsType<OrderPlaced>(placed.Data);
            Assert.Equal(orderId.ToString(), placed.CorrelationId);
        }
        // OrderDetails is an async projection: the daemon catches up shortly after the commit.
        await OrderSagaHost.Eventually(async () =>
        {
            await using var session = Store.QuerySession();
            return (await session.LoadAsync<OrderDetails>(orderId))?.Status == "Placed";
        }, "OrderDetails projected as Placed");

        await _host.Bus.Publish(new StockReserved(orderId, DateTimeOffset.UtcNow.AddMinutes(15)));
        await OrderSagaHost.Eventually(async () => _host.ChargePayment.Any(c => c.Message.OrderId == orderId), "ChargePayment sent to payment");
        await _host.Bus.Publish(new PaymentCaptured(orderId, "pi_test", "simulated", 42m, "EUR"));
        await WaitForState(orderId, nameof(CheckoutStateMachine.Confirmed));
        // Sent in the capture's transaction; inventory answers it only if the commit fails.
        await OrderSagaHost.Eventually(async () => _host.CommitStock.Any(c => c.Message.OrderId == orderId && !c.Message.ReplyWhenCommitted),
            "CommitStock sent to inventory");
        await _host.Bus.Publish(new CustomerNotified(orderId, "OrderConfirmed", "email", DateTimeOffset.UtcNow));
        await WaitForState(orderId, nameof(CheckoutStateMachine.Completed));

        await using (var session = Store.QuerySession())
        {
            var history = (await session.Events.FetchStreamAsync(orderId)).Select(e => e.Data.GetType()).ToList();
            Assert.Equal([typeof(OrderPlaced), typeof(OrderStockReserved), typeof(OrderPaymentCaptured), typeof(OrderConfirmed),
                typeof(OrderCustomerNotified), typeof(OrderCompleted)], history);
            await OrderSagaHost.Eventually(async () =>
            {
                await using var projected = Store.QuerySession();
                return (await projected.LoadAsync<OrderDetails>(orderId))?.Status == "Completed";
            }, "OrderDetails projected as Completed");
            var details = await session.LoadAsync<OrderDetails>(orderId);
            Assert.Equal("Completed", details!.Status);
            Assert.Equal(["Placed", "StockReserved", "PaymentCaptured", "Confirmed", "CustomerNotified", "Completed"],
                details.Timeline.Select(t => t.Status));
        }
        // Everything the saga produced was relayed and cleaned up; one inbox row per message it consumed.
        await OrderSagaHost.Eventually(async () => await CountOutboxRowsFor(orderId) == 0, "outbox drained");
    }

    /// <summary>
    /// Saga documents written before the saga kept its <see cref="Order"/> have none: the repository replays the order
    /// stream into such a document when it loads it, so its order's rules still hold (here: a completed order ships).
    /// </summary>
    [Fact]
    public async Task A_saga_document_without_its_order_gets_it_back_from_the_order_stream()
    {
        var orderId = await OrderAwaitingPayment();
        await _host.Bus.Publish(new PaymentCaptured(orderId, "pi_test", "simulated", 42m, "EUR"));
        await WaitForState(orderId, nameof(CheckoutStateMachine.Confirmed));

        // The document as the version before wrote it: no Order.
        await using (var connection = new NpgsqlConnection(_host.ConnectionString))
        {
            await connection.OpenAsync();
            await using var strip = new NpgsqlCommand("update orders.mt_doc_checkoutstate set data = data - 'Order' where id = @id", connection);
            strip.Parameters.AddWithValue("id", orderId);
            Assert.Equal(1, await strip.ExecuteNonQueryAsync());
        }
        await using (var session = Store.QuerySession())
            Assert.True((await session.LoadAsync<CheckoutState>(orderId))!.NeedsHistory);

        await _host.Bus.Publish(new Shop.Contracts.Orders.ShipOrder(orderId, NewId.NextGuid(), "TRACK-1"));
        await WaitForState(orderId, nameof(CheckoutStateMachine.Shipped));

        await using var query = Store.QuerySession();
        var order = (await query.LoadAsync<CheckoutState>(orderId))!.Order;
        Assert.Equal((orderId, OrderStatus.Shipped, 42m), (order.Id, order.Status, order.Captured));
        Assert.NotNull(order.ShippedAt);

        // The fields an instance of the version before reads (a rolling update), written from the Order.
        await using var database = new NpgsqlConnection(_host.ConnectionString);
        await database.OpenAsync();
        await using var legacy = new NpgsqlCommand("select data ->> 'CapturedAmount', data ->> 'ShippedAt', data ->> 'CancellationRequested' " +
            "from orders.mt_doc_checkoutstate where id = @id", database);
        legacy.Parameters.AddWithValue("id", orderId);
        await using var reader = await legacy.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(42m, decimal.Parse(reader.GetString(0), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(order.ShippedAt, DateTimeOffset.Parse(reader.GetString(1), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("false", reader.GetString(2));
    }

    /// <summary>
    /// Before the saga confirmed at capture time, a captured order waited in Confirming for inventory's StockCommitted
    /// (its CommitStock asked for that answer). Such an order, left in flight by an upgrade, is still confirmed by it.
    /// </summary>
    [Fact]
    public async Task An_order_left_waiting_for_its_stock_commit_by_the_version_before_is_confirmed_by_the_answer()
    {
        var orderId = await OrderAwaitingPayment();

        // What the version before wrote on the capture: the capture recorded, the saga in Confirming.
        await using (var session = Store.LightweightSession())
        {
            var saga = (await session.LoadAsync<CheckoutState>(orderId))!;
            var captured = new OrderPaymentCaptured(orderId, "pi_test", "simulated", 42m, DateTimeOffset.UtcNow, false);
            saga.Record(captured);
            saga.PaymentId = "pi_test";
            saga.CurrentState = nameof(CheckoutStateMachine.Confirming);
            session.Store(saga);
            session.Events.Append(orderId, captured);
            await session.SaveChangesAsync();
        }

        await _host.Bus.Publish(new StockCommitted(orderId));
        await WaitForState(orderId, nameof(CheckoutStateMachine.Confirmed));

        await using var query = Store.QuerySession();
        Assert.Equal([typeof(OrderPlaced), typeof(OrderStockReserved), typeof(OrderPaymentCaptured), typeof(OrderConfirmed)],
            (await query.Events.FetchStreamAsync(orderId)).Select(e => e.Data.GetType()));
        Assert.Equal(OrderStatus.Confirmed, (await query.LoadAsync<CheckoutState>(orderId))!.Order.Status);
    }

    [Fact]
    public async Task A_redelivered_message_is_not_applied_twice()
    {
        var orderId = NewId.NextGuid();
        await _host.Bus.Publish(Checkout(orderId));
        await WaitForState(orderId, nameof(CheckoutStateMachine.AwaitingStock));

        var messageId = NewId.NextGuid();
        var reserved = new StockReserved(orderId, DateTimeOffset.UtcNow.AddMinutes(15));
        var counters = _host.Services.GetRequiredService<MessagingCounters>();
        var duplicatesBefore = counters.DuplicatesDropped;
        await _host.Bus.Publish(reserved, c => c.MessageId = messageId);
        await _host.Bus.Publish(reserved, c => c.MessageId = messageId);

        // The second copy was received, recognised by the inbox record of the first, and did nothing.
        await OrderSagaHost.Eventually(async () => counters.DuplicatesDropped > duplicatesBefore, "the duplicate dropped by the inbox");
        Assert.Equal(1, await Count("select count(*) from orders.inbox where message_id = @id", messageId));
        Assert.Single(_host.ChargePayment, c => c.Message.OrderId == orderId);
        await using var query = Store.QuerySession();
        Assert.Single(await query.Events.FetchStreamAsync(orderId), e => e.Data is OrderStockReserved);
    }

    [Fact]
    public async Task Concurrent_updates_of_one_saga_conflict_are_retried_and_all_end_up_applied()
    {
        var orderId = NewId.NextGuid();
        await _host.Bus.Publish(Checkout(orderId));
        await WaitForState(orderId, nameof(CheckoutStateMachine.AwaitingStock));
        await _host.Bus.Publish(new StockReservationFailed(orderId, "OutOfStock", []));
        await WaitForState(orderId, nameof(CheckoutStateMachine.Failed));
        var retryLog = _host.Services.GetRequiredService<RetryLog>();
        var retriesBefore = retryLog.RetriesByException.Values.Sum();

        const int updates = 5;
        // Messages of one order are consumed one after another (partitioned by order), so the conflict comes from
        // outside: hold the saga's row, let the first message read it and queue behind the lock, and change the row's
        // version underneath before letting go. That message's version check fails; it is retried on fresh state.
        await using (var blocker = new NpgsqlConnection(_host.ConnectionString))
        {
            await blocker.OpenAsync();
            await using var transaction = await blocker.BeginTransactionAsync();
            await using (var lockRow = new NpgsqlCommand(
                             "update orders.mt_doc_checkoutstate set mt_version = gen_random_uuid() where id = @id", blocker, transaction))
            {
                lockRow.Parameters.AddWithValue("id", orderId);
                Assert.Equal(1, await lockRow.ExecuteNonQueryAsync());
            }
            for (var i = 0; i < updates; i++)
                await _host.Bus.Publish(new CustomerNotificationFailed(orderId, $"Kind{i}", "email", "SMTP down", DateTimeOffset.UtcNow));
            await Task.Delay(TimeSpan.FromSeconds(3));
            await transaction.CommitAsync();
        }

        await OrderSagaHost.Eventually(async () =>
        {
            await using var session = Store.QuerySession();
            return (await session.Events.FetchStreamAsync(orderId)).Count(e => e.Data is OrderCustomerNotificationFailed) == updates;
        }, $"all {updates} updates recorded", TimeSpan.FromSeconds(60));

        Assert.True(retryLog.RetriesByException.Values.Sum() > retriesBefore, "the conflicting updates were not retried");
        await using var query = Store.QuerySession();
        var kinds = (await query.Events.FetchStreamAsync(orderId)).Select(e => e.Data).OfType<OrderCustomerNotificationFailed>().Select(e => e.Kind);
        Assert.Equal(Enumerable.Range(0, updates).Select(i => $"Kind{i}").Order(), kinds.Order());
        Assert.Equal(nameof(CheckoutStateMachine.Failed), (await query.LoadAsync<CheckoutState>(orderId))!.CurrentState);
    }

    /// <summary>
    /// Two repositories load one saga at the same version — as two instances consuming two messages of one order would —
    /// and both update it through the saga repository. The unit of work commits the first; the second, written on the
    /// version it loaded, must be refused with everything it staged (the saga document and the order events the
    /// repository appends), so the first change is neither overwritten nor joined by the stale one's events.
    /// </summary>
    [Fact]
    public async Task A_stale_saga_write_is_refused()
    {
        var orderId = NewId.NextGuid();
        await _host.Bus.Publish(Checkout(orderId));
        await WaitForState(orderId, nameof(CheckoutStateMachine.AwaitingStock));
        long versionBefore;
        await using (var query = Store.QuerySession())
            versionBefore = (await query.Events.FetchStreamStateAsync(orderId))!.Version;

        // The repository works on a consumed message's context: a real one, from a receive endpoint of the test's bus.
        var outcome = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var endpoint = _host.Bus.ConnectReceiveEndpoint($"stale-write-{orderId:N}", e => e.Handler<StaleWriteProbe>(async context =>
        {
            try
            {
                await using var firstScope = _host.Services.CreateAsyncScope();
                await using var secondScope = _host.Services.CreateAsyncScope();
                var first = firstScope.ServiceProvider.GetRequiredService<IDocumentSession>();
                var second = secondScope.ServiceProvider.GetRequiredService<IDocumentSession>();
                await UpdateThroughRepository(first, context, "first");
                await UpdateThroughRepository(second, context, "second");

                await first.SaveChangesAsync(context.CancellationToken);
                outcome.TrySetResult(await Record.ExceptionAsync(() => second.SaveChangesAsync(context.CancellationToken)));
            }
            catch (Exception exception)
            {
                outcome.TrySetException(exception);
            }
        }));
        try
        {
            await endpoint.Ready;
            var probe = await _host.Bus.GetSendEndpoint(new Uri($"queue:stale-write-{orderId:N}"));
            await probe.Send(new StaleWriteProbe(orderId));
            var refusal = await outcome.Task.WaitAsync(TimeSpan.FromSeconds(30));

            Assert.IsAssignableFrom<JasperFx.ConcurrencyException>(refusal);
            await using var query = Store.QuerySession();
            Assert.Equal("first", (await query.LoadAsync<CheckoutState>(orderId))!.FailureReason);
            var failures = (await query.Events.FetchStreamAsync(orderId)).Select(e => e.Data).OfType<OrderCustomerNotificationFailed>().ToList();
            Assert.Equal(["first"], failures.Select(f => f.Kind));
            Assert.Equal(versionBefore + 1, (await query.Events.FetchStreamStateAsync(orderId))!.Version);
        }
        finally
        {
            await endpoint.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>Load, change and update the saga through the Marten saga repository, as the saga's endpoint does; staged only.</summary>
    static Task UpdateThroughRepository(IDocumentSession session, ConsumeContext<StaleWriteProbe> context, string change) =>
        new MartenSagaRepositoryContextFactory<CheckoutState>(session, new SagaConsumeContextFactory<IDocumentSession, CheckoutState>())
            .Send(context, Pipe.ExecuteAsync<SagaRepositoryContext<CheckoutState, StaleWriteProbe>>(async repository =>
            {
                var loaded = await repository.Load(context.Message.OrderId);
                Assert.NotNull(loaded);
                loaded.Saga.FailureReason = change;
                loaded.Saga.Record(new OrderCustomerNotificationFailed(context.Message.OrderId, change, "email", "stale write test", DateTimeOffset.UtcNow));
                await repository.Update(loaded);
            }));

    public record StaleWriteProbe(Guid OrderId);

    /// <summary>A new order, checked out and its stock reserved: the saga waits for the payment.</summary>
    async Task<Guid> OrderAwaitingPayment()
    {
        var orderId = NewId.NextGuid();
        await _host.Bus.Publish(Checkout(orderId));
        await WaitForState(orderId, nameof(CheckoutStateMachine.AwaitingStock));
        await _host.Bus.Publish(new StockReserved(orderId, DateTimeOffset.UtcNow.AddMinutes(15)));
        await WaitForState(orderId, nameof(CheckoutStateMachine.AwaitingPayment));
        return orderId;
    }

    async Task WaitForState(Guid orderId, string state) =>
        await OrderSagaHost.Eventually(async () =>
        {
            await using var session = Store.QuerySession();
            return (await session.LoadAsync<CheckoutState>(orderId))?.CurrentState == state;
        }, $"saga {orderId} in {state}");

    Task<long> CountOutboxRowsFor(Guid orderId) => Count("select count(*) from orders.outbox where correlation_id = @id", orderId);

    async Task<long> Count(string sql, Guid id)
    {
        await using var connection = new NpgsqlConnection(_host.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("id", id);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    static CheckoutRequested Checkout(Guid orderId) =>
        new(orderId, NewId.NextGuid(), NewId.NextGuid(), "ada@shop.test", "Ada", [new OrderLine(NewId.NextGuid(), "MUG-1", "Mug", 21m, 2)],
            42m, "EUR", "pm_card_visa", null, DateTimeOffset.UtcNow);
}

public sealed class OrderSagaHostFixture : IAsyncLifetime
{
    public OrderSagaHost Host { get; } = new();
    public Task InitializeAsync() => Host.InitializeAsync();
    public Task DisposeAsync() => Host.DisposeAsync();
}
