using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MassTransit;
using Shop.BuildingBlocks.Messaging;
using Shop.BuildingBlocks.Security;
using Shop.Contracts.Catalog;
using Shop.Contracts.Inventory;
using Shop.Testing;
using Xunit;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Shop.InventoryService.Tests;

/// <summary>
/// InventoryService alone, as real processes on a fresh database and virtual host, plus a MassTransit bus on that virtual
/// host that sends the order saga's commands to the "inventory" queue and records every event the service publishes.
/// </summary>
public abstract class InventoryCluster(int instances, TimeSpan? reservationHold, TimeSpan? catalogCacheDuration = null) : IAsyncLifetime
{
    public static readonly TimeSpan OutcomeTimeout = TimeSpan.FromSeconds(90);

    IBusControl? _bus;

    public ShopCluster Cluster { get; } = new() { OnlyServices = ["inventory"] };
    public EventLog Events { get; } = new();
    public HttpClient Admin { get; private set; } = null!;
    public HttpClient Customer { get; private set; } = null!;
    public HttpClient Anonymous { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster.Settings["Inventory:SeedDemoCatalog"] = "false";
        Cluster.Replicas["inventory"] = instances;
        if (reservationHold is { } hold)
            Cluster.Settings["Inventory:Reservations:Hold"] = hold.ToString("c");
        if (catalogCacheDuration is { } duration)
            Cluster.Settings["Inventory:CatalogCache:Duration"] = duration.ToString("c");
        await Cluster.StartAsync(instances > 1 ? "inventory-scaled" : "inventory");

        _bus = MassTransit.Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            var amqp = Cluster.VirtualHost.AmqpUri;
            cfg.Host(amqp.Host, (ushort)amqp.Port, Cluster.VirtualHost.Name, h =>
            {
                h.Username("guest");
                h.Password("guest");
            });
            cfg.ReceiveEndpoint("inventory-tests", e =>
            {
                Record<StockReserved>(e);
                Record<StockReservationFailed>(e);
                Record<StockReleased>(e);
                Record<StockCommitted>(e);
                Record<StockCommitFailed>(e);
                Record<StockRestocked>(e);
                Record<StockRestockFailed>(e);
                Record<StockReservationExpired>(e);
                Record<ProductCreated>(e);
                Record<ProductUpdated>(e);
                Record<ProductPriceChanged>(e);
                Record<ProductDeactivated>(e);
                Record<ProductReactivated>(e);
            });
        });
        await _bus.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);

        Admin = Client(0, Token(ShopRoles.Admin));
        Customer = Client(0, Token(ShopRoles.Customer));
        Anonymous = Client(0, null);
    }

    void Record<T>(IReceiveEndpointConfigurator endpoint) where T : class =>
        endpoint.Handler<T>(context =>
        {
            Events.Add(context.Message, context.MessageId, context.Host?.ProcessId);
            return Task.CompletedTask;
        });

    /// <summary>A client of one instance (each has its own port); admin by default.</summary>
    public HttpClient Client(int instance, string? token)
    {
        var http = new HttpClient { BaseAddress = Cluster.Instances("inventory")[instance].BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (token is not null)
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    /// <summary>An access token like the gateway issues, signed with the cluster's key.</summary>
    public string Token(string role) => TestTokens.Create(Cluster.JwtSigningKey, Guid.NewGuid(), $"{role}@shop.test", role);

    /// <summary>Sends a command to the service's queue as the order saga does; a given message id imitates a redelivery.</summary>
    public async Task Send<T>(T command, Guid? messageId = null) where T : class
    {
        var endpoint = await _bus!.GetSendEndpoint(ServiceQueues.Address(ServiceQueues.Inventory));
        await endpoint.Send(command, context =>
        {
            if (messageId is { } id)
                context.MessageId = id;
        });
    }

    public async Task<ProductDto> CreateProduct(int stock = 10, string? name = null, string? description = null, decimal price = 9.90m,
        string category = "Tests")
    {
        using var response = await Admin.PostAsJsonAsync("api/products", new
        {
            sku = NewSku(),
            name = name ?? $"Test product {Guid.NewGuid():N}",
            description = description ?? "Made for a test.",
            price,
            currency = "EUR",
            category,
            imageUrl = (string?)null,
            stock,
        });
        await ShopApi.EnsureSuccess(response);
        return (await response.Content.ReadFromJsonAsync<ProductDto>(ShopApi.Json))!;
    }

    public static string NewSku() => $"T-{Guid.NewGuid():N}"[..24].ToUpperInvariant();

    public async Task<StockDto> GetStock(Guid productId) => (await Get<StockDto>(Admin, $"api/products/{productId}/stock"))!;

    public static async Task<T?> Get<T>(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        await ShopApi.EnsureSuccess(response);
        return await response.Content.ReadFromJsonAsync<T>(ShopApi.Json);
    }

    /// <summary>What the RabbitMQ management API says about a queue of this virtual host (null if it does not exist).</summary>
    public async Task<JsonElement?> Queue(string name)
    {
        var management = (await TestEnvironment.GetServersAsync()).RabbitManagement
                         ?? throw new InvalidOperationException("These tests need the RabbitMQ management API (SHOP_TEST_RABBITMQ_MANAGEMENT).");
        using var http = new HttpClient { BaseAddress = management };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.ASCII.GetBytes("guest:guest")));
        using var response = await http.GetAsync($"api/queues/{Uri.EscapeDataString(Cluster.VirtualHost.Name)}/{Uri.EscapeDataString(name)}");
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
            return null;
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    /// <summary>
    /// Waits until the queue has this many consumers. A process reports ready once its bus is connected, and the
    /// management API's counts trail the broker by a few seconds, so the count is polled rather than read once.
    /// </summary>
    public async Task<int> WaitForConsumers(string queue, int expected, TimeSpan? timeout = null)
    {
        var consumers = 0;
        await Poll.Until(async () =>
        {
            consumers = (await Queue(queue)) is { } found && found.TryGetProperty("consumers", out var count) ? count.GetInt32() : 0;
            return consumers == expected;
        }, timeout ?? TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(500));
        return consumers;
    }

    public async Task DisposeAsync()
    {
        Admin?.Dispose();
        Customer?.Dispose();
        Anonymous?.Dispose();
        if (_bus is not null)
            await _bus.StopAsync();
        await Cluster.DisposeAsync();
    }
}

/// <summary>Two instances competing for the "inventory" queue, reservations held for the default time.</summary>
public sealed class TwoInstances() : InventoryCluster(2, null);

/// <summary>One instance whose reservations expire after a few seconds.</summary>
public sealed class ShortReservationHold() : InventoryCluster(1, ShortReservationHold.Hold)
{
    public static readonly TimeSpan Hold = TimeSpan.FromSeconds(3);
}

/// <summary>
/// One instance whose catalog cache keeps entries for ten minutes: within a test only an eviction can make a change
/// visible, so the tests see exactly what evicts and what does not.
/// </summary>
public sealed class LongCatalogCache() : InventoryCluster(1, null, Duration)
{
    public static readonly TimeSpan Duration = TimeSpan.FromMinutes(10);
}

[CollectionDefinition(Name)]
public sealed class LongCatalogCacheCollection : ICollectionFixture<LongCatalogCache>
{
    public const string Name = "inventory, long catalog cache";
}

[CollectionDefinition(Name)]
public sealed class TwoInstancesCollection : ICollectionFixture<TwoInstances>
{
    public const string Name = "inventory, two instances";
}

[CollectionDefinition(Name)]
public sealed class ShortReservationHoldCollection : ICollectionFixture<ShortReservationHold>
{
    public const string Name = "inventory, short reservation hold";
}

/// <summary>
/// Every event the service published, with the process id of the instance that published it. The outbox delivers at
/// least once: a message may arrive twice with the same message id (a consumer's inbox drops the copy), so the log
/// counts each message id once, as such a consumer would.
/// </summary>
public sealed class EventLog
{
    public sealed record Received(object Message, Guid? MessageId, int? ProcessId);

    readonly ConcurrentQueue<Received> _received = new();

    public void Add(object message, Guid? messageId, int? processId) => _received.Enqueue(new Received(message, messageId, processId));

    public IReadOnlyList<Received> All => _received.DistinctBy(r => r.MessageId ?? Guid.NewGuid()).ToList();

    public IReadOnlyList<T> Of<T>(Func<T, bool>? where = null) => All.Select(r => r.Message).OfType<T>().Where(where ?? (_ => true)).ToList();

    public async Task<T> WaitFor<T>(Func<T, bool> where, TimeSpan? timeout = null)
    {
        var all = await WaitForCount(where, 1, timeout);
        return all[0];
    }

    public async Task<IReadOnlyList<T>> WaitForCount<T>(Func<T, bool> where, int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? InventoryCluster.OutcomeTimeout);
        while (true)
        {
            var found = Of(where);
            if (found.Count >= count)
                return found;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Saw {found.Count} of {count} {typeof(T).Name} events within the timeout. Events so far:\n" +
                                           string.Join("\n", All.Select(r => r.Message)));
            await Task.Delay(100);
        }
    }

    /// <summary>The reservation outcome (StockReserved or StockReservationFailed) of each order, once all have one.</summary>
    public async Task<IReadOnlyDictionary<Guid, Received>> WaitForReservationOutcomes(IReadOnlyCollection<Guid> orderIds, TimeSpan? timeout = null)
    {
        var wanted = orderIds.ToHashSet();
        var deadline = DateTime.UtcNow + (timeout ?? InventoryCluster.OutcomeTimeout);
        while (true)
        {
            var outcomes = new Dictionary<Guid, Received>();
            foreach (var received in All)
            {
                var orderId = received.Message switch
                {
                    StockReserved r => r.OrderId,
                    StockReservationFailed f => f.OrderId,
                    _ => Guid.Empty,
                };
                if (wanted.Contains(orderId))
                    outcomes.TryAdd(orderId, received);
            }
            if (outcomes.Count == wanted.Count)
                return outcomes;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Only {outcomes.Count} of {wanted.Count} reservations had an outcome within the timeout.");
            await Task.Delay(100);
        }
    }
}

public record ProductDto(
    Guid Id, string Sku, string Name, string Description, decimal Price, string Currency, string Category, string? ImageUrl, bool Active,
    int Available, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public record ProductPageDto(List<ProductDto> Items, long Total, int Page, int PageSize, bool TotalIsExact);

public record MovementDto(string Kind, int Quantity, Guid? OrderId, string? Reason, DateTimeOffset At);

public record StockDto(Guid ProductId, int OnHand, int Reserved, int Available, int Sold, List<MovementDto> RecentMovements);
