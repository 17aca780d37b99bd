using JasperFx;
using JasperFx.Events.Daemon;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Shop.Contracts;
using Shop.OrderSaga.Orders;
using Shop.OrderSaga.Orders.Projections;
using Shop.OrderSaga.Tests.Persistence;
using Xunit;

namespace Shop.OrderSaga.Tests.Operations;

/// <summary>
/// What the crash test saw after a PostgreSQL crash: a batch of the order view had committed but its agent never heard,
/// so the next batch found the stored progression ahead of it (ProgressionProgressOutOfOrder) and the daemon stopped the
/// shard for good. Here the progression is moved ahead by hand, which fails the shard the same way; the watchdog must
/// start it again so that the order view keeps following the order streams.
/// </summary>
public sealed class ShardWatchdogTests(OrderSagaHostFixture fixture) : IClassFixture<OrderSagaHostFixture>
{
    const string OrderViewShard = "OrderDetails:All";
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    readonly OrderSagaHost _host = fixture.Host;
    IDocumentStore Store => _host.Services.GetRequiredService<IDocumentStore>();

    [Fact]
    public async Task A_shard_that_failed_on_an_out_of_order_progression_is_started_again_and_the_order_view_catches_up()
    {
        var first = await PlaceDirectly();
        await OrderSagaHost.Eventually(async () => await View(first) is not null, "the first order in the view", Patience);

        // The stored progression moves one event ahead of the agent, as a batch committed during a crash would leave it.
        await using (var connection = new NpgsqlConnection(_host.ConnectionString))
        {
            await connection.OpenAsync();
            await using var bump = new NpgsqlCommand("update orders.mt_event_progression set last_seq_id = last_seq_id + 1 where name = $1", connection);
            bump.Parameters.Add(new NpgsqlParameter { Value = OrderViewShard });
            Assert.Equal(1, await bump.ExecuteNonQueryAsync());
        }
        // The next event's batch finds the progression ahead (its own sequence is the one skipped), and the shard fails.
        await PlaceDirectly();
        var daemon = _host.Services.GetRequiredService<IProjectionCoordinator>().DaemonForMainDatabase();

        // Events after the failure reach the view only if the shard runs again.
        var later = await PlaceDirectly();
        await OrderSagaHost.Eventually(async () => await View(later) is not null, "an order placed after the shard failed in the view", Patience);
        Assert.Contains(daemon.CurrentAgents(), a => a.Name.Identity == OrderViewShard && a.Status == AgentStatus.Running);
    }

    async Task<Guid> PlaceDirectly()
    {
        var orderId = Guid.CreateVersion7();
        await using var session = Store.LightweightSession();
        session.Events.StartStream(orderId, new OrderPlaced(orderId, Guid.NewGuid(), "ada@shop.test", "Ada",
            [new OrderLine(Guid.NewGuid(), "MUG", "Mug", 10m, 1)], 10m, "EUR", "pm_card_visa", null, DateTimeOffset.UtcNow));
        await session.SaveChangesAsync();
        return orderId;
    }

    async Task<OrderDetails?> View(Guid orderId)
    {
        await using var session = Store.QuerySession();
        return await session.LoadAsync<OrderDetails>(orderId);
    }
}
