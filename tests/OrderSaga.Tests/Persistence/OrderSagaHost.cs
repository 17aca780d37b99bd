using Shop.Messaging;
using System.Collections.Concurrent;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Shop.BuildingBlocks.Messaging;
using Shop.Contracts.Inventory;
using Shop.Contracts.Orders;
using Shop.Contracts.Payments;
using Shop.Testing;
using Xunit;

namespace Shop.OrderSaga.Tests.Persistence;

/// <summary>
/// The real OrderSaga service (its Program, in-process) on a fresh PostgreSQL database and RabbitMQ virtual host, plus
/// a second bus standing in for InventoryService and PaymentService: it records the commands the saga sends them.
/// </summary>
public sealed class OrderSagaHost : IAsyncLifetime
{
    TestDatabase _database = null!;
    TestVirtualHost _virtualHost = null!;
    WebApplicationFactory<Program> _factory = null!;
    IBusControl _otherServices = null!;

    public ConcurrentQueue<ConsumeContext<ReserveStock>> ReserveStock { get; } = new();
    public ConcurrentQueue<ConsumeContext<ReleaseStock>> ReleaseStock { get; } = new();
    public ConcurrentQueue<ConsumeContext<CommitStock>> CommitStock { get; } = new();
    public ConcurrentQueue<ConsumeContext<ChargePayment>> ChargePayment { get; } = new();
    public ConcurrentQueue<ConsumeContext<RefundPayment>> RefundPayment { get; } = new();
    /// <summary>Pages of status changes as a subscriber of the order saga's status relay receives them.</summary>
    public ConcurrentQueue<ConsumeContext<OrderStatusesChanged>> StatusChanges { get; } = new();

    public string JwtSigningKey { get; } = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(48));

    /// <summary>An HTTP client of the in-process service (e.g. for its /admin endpoints).</summary>
    public HttpClient CreateClient() => _factory.CreateClient();

    public IServiceProvider Services => _factory.Services;
    public IBus Bus => _otherServices;
    public string ConnectionString => _database.ConnectionString;

    public Dictionary<string, string> Settings { get; } = new();

    public async Task InitializeAsync()
    {
        _database = await TestEnvironment.CreateDatabaseAsync("saga");
        _virtualHost = await TestEnvironment.CreateVirtualHostAsync("saga");
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("ConnectionStrings:Postgres", _database.ConnectionString);
            web.UseSetting("ConnectionStrings:RabbitMq", _virtualHost.AmqpUri.ToString());
            web.UseSetting("Jwt:SigningKey", JwtSigningKey);
            web.UseSetting("Logging:Format", "text");
            foreach (var (key, value) in Settings)
                web.UseSetting(key, value);
            // The host counts as started only once the bus has declared its queues and bindings: a message published
            // right after start-up would otherwise find no binding and be dropped (seen on a loaded machine).
            web.ConfigureServices(services => services.Configure<MassTransitHostOptions>(o => o.WaitUntilStarted = true));
        });
        _ = _factory.Server; // starts the host: schema, bus, outbox relay

        var rabbit = RabbitMqSettings.From(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:RabbitMq"] = _virtualHost.AmqpUri.ToString() }).Build());
        _otherServices = MassTransit.Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(rabbit.Host, rabbit.Port, rabbit.VirtualHost, h => { h.Username(rabbit.Username); h.Password(rabbit.Password); });
            cfg.ReceiveEndpoint(ServiceQueues.Inventory, e =>
            {
                e.Handler<ReserveStock>(c => Record(ReserveStock, c));
                e.Handler<ReleaseStock>(c => Record(ReleaseStock, c));
                e.Handler<CommitStock>(c => Record(CommitStock, c));
            });
            cfg.ReceiveEndpoint("order-status-watcher", e => e.Handler<OrderStatusesChanged>(c => Record(StatusChanges, c)));
            cfg.ReceiveEndpoint(ServiceQueues.Payments, e =>
            {
                e.Handler<ChargePayment>(c => Record(ChargePayment, c));
                e.Handler<RefundPayment>(c => Record(RefundPayment, c));
            });
        });
        await _otherServices.StartAsync();
    }

    static Task Record<T>(ConcurrentQueue<ConsumeContext<T>> queue, ConsumeContext<T> context) where T : class
    {
        queue.Enqueue(context);
        return Task.CompletedTask;
    }

    public static async Task Eventually(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        if (!await Poll.Until(condition, timeout ?? TimeSpan.FromSeconds(30)))
            Assert.Fail($"Timed out waiting for: {what}");
    }

    public async Task DisposeAsync()
    {
        await _otherServices.StopAsync();
        await _factory.DisposeAsync();
        await _virtualHost.DisposeAsync();
        await _database.DisposeAsync();
    }
}
