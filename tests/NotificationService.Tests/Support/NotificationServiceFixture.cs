using Shop.Messaging;
using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Shop.BuildingBlocks.Messaging;
using Shop.BuildingBlocks.Security;
using Shop.Contracts;
using Shop.Contracts.Notifications;
using Shop.Contracts.Orders;
using Shop.NotificationService.Notifications.Listing;
using Shop.Testing;
using Xunit;

namespace Shop.NotificationService.Tests.Support;

/// <summary>
/// NotificationService as real processes (the built DLL) on a fresh database and RabbitMQ virtual host, optionally with
/// its own maildev. Tests publish order events on a bus of their own, watch what the service publishes back, read mail
/// through maildev's HTTP API and call the service's API with tokens signed like the gateway's.
/// </summary>
public abstract class NotificationServiceFixture : IAsyncLifetime
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    readonly List<ServiceProcess> _services = [];
    readonly string _jwtKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
    IBusControl? _bus;
    TestDatabase? _database;
    TestVirtualHost? _virtualHost;
    MailDevServer? _mailDev;

    protected abstract string Purpose { get; }
    protected virtual int Instances => 1;
    protected virtual bool UsesMailDev => true;
    protected abstract void Configure(IDictionary<string, string> settings);

    public string LogDirectory { get; private set; } = "";
    public MailDevServer MailDev => _mailDev ?? throw new InvalidOperationException("This fixture runs without maildev");
    public IReadOnlyList<ServiceProcess> Services => _services;
    public TestVirtualHost VirtualHost => _virtualHost ?? throw new InvalidOperationException("Not started");
    public ConcurrentQueue<CustomerNotified> Notified { get; } = new();
    public ConcurrentQueue<CustomerNotificationFailed> NotificationFailures { get; } = new();

    public async Task InitializeAsync()
    {
        _database = await TestEnvironment.CreateDatabaseAsync($"notify_{Purpose}");
        _virtualHost = await TestEnvironment.CreateVirtualHostAsync($"notify-{Purpose}");
        LogDirectory = Path.Combine(RepositoryLayout.Root, ".shop", "test-logs", $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-notifications-{Purpose}");
        Directory.CreateDirectory(LogDirectory);

        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = _database.ConnectionString,
            ["ConnectionStrings__RabbitMq"] = _virtualHost.AmqpUri.ToString(),
            ["Jwt__SigningKey"] = _jwtKey,
            ["Notifications__Delivery__PollInterval"] = "00:00:00.500",
            ["Notifications__Delivery__ClaimTimeout"] = "00:00:30",
        };
        if (UsesMailDev)
        {
            _mailDev = new MailDevServer(LogDirectory);
            await _mailDev.StartAsync();
            settings["Smtp__Host"] = "127.0.0.1";
            settings["Smtp__Port"] = _mailDev.SmtpPort.ToString();
            settings["Smtp__Security"] = "None";
            settings["Smtp__Timeout"] = "00:00:10";
        }
        Configure(settings);

        // The observer's queue is bound before the service can publish anything.
        _bus = CreateObserverBus(_virtualHost.AmqpUri);
        await _bus.StartAsync();

        for (var i = 0; i < Instances; i++)
            _services.Add(new ServiceProcess($"notifications-{i + 1}", RepositoryLayout.ServiceDll("NotificationService"), LoopbackPorts.Next(),
                settings, Path.Combine(LogDirectory, $"notifications-{i + 1}.log")));
        // The first instance creates the schema; the others start once it is ready (concurrent schema creation collides).
        _services[0].Start();
        await _services[0].WaitUntilReadyAsync(TimeSpan.FromSeconds(90));
        foreach (var service in _services.Skip(1))
            service.Start();
        await Task.WhenAll(_services.Skip(1).Select(s => s.WaitUntilReadyAsync(TimeSpan.FromSeconds(90))));
    }

    IBusControl CreateObserverBus(Uri amqp)
    {
        ContractConventions.UseOrderIdAsCorrelationId();
        var rabbit = RabbitMqSettings.From(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:RabbitMq"] = amqp.ToString() }).Build());
        return Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(rabbit.Host, rabbit.Port, rabbit.VirtualHost, h =>
            {
                h.Username(rabbit.Username);
                h.Password(rabbit.Password);
            });
            cfg.ReceiveEndpoint("notification-test-observer", e =>
            {
                e.Handler<CustomerNotified>(context =>
                {
                    Notified.Enqueue(context.Message);
                    return Task.CompletedTask;
                });
                e.Handler<CustomerNotificationFailed>(context =>
                {
                    NotificationFailures.Enqueue(context.Message);
                    return Task.CompletedTask;
                });
            });
        });
    }

    /// <summary>Publishes an order event as the order saga would; a given message id makes it a redelivery of an earlier one.</summary>
    public Task PublishAsync<T>(T message, Guid? messageId = null) where T : class =>
        _bus!.Publish(message, context =>
        {
            if (messageId is { } id)
                context.MessageId = id;
        });

    public int CustomerNotifiedCount(Guid orderId, string kind, string channel) =>
        Notified.Count(n => n.OrderId == orderId && n.Kind == kind && n.Channel == channel);

    public HttpClient Client(string? token)
    {
        var http = new HttpClient { BaseAddress = _services[0].BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null)
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    /// <summary>An access token as the gateway issues it.</summary>
    public string Token(Guid userId, string role = ShopRoles.Customer) => TestTokens.Create(_jwtKey, userId, $"{userId:N}@shop.test", role);

    public string AdminToken() => Token(Guid.NewGuid(), ShopRoles.Admin);

    /// <summary>The admin listing (GET /api/notifications/all) for a query string such as "?orderId=...".</summary>
    public async Task<NotificationPage> AdminListAsync(string query)
    {
        using var http = Client(AdminToken());
        using var response = await http.GetAsync($"api/notifications/all{query}");
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"GET /api/notifications/all{query} answered {(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<NotificationPage>(body, Json)!;
    }

    public async Task<IReadOnlyList<AdminNotificationResponse>> NotificationsOfOrderAsync(Guid orderId) =>
        (await AdminListAsync($"?orderId={orderId}")).Items;

    public async Task<IReadOnlyList<NotificationResponse>> MineAsync(Guid customerId)
    {
        using var http = Client(Token(customerId));
        return (await http.GetFromJsonAsync<List<NotificationResponse>>("api/notifications", Json))!;
    }

    public string Logs(int lines = 40) => string.Join("\n", _services.Select(s => s.Tail(lines)));

    public async Task DisposeAsync()
    {
        foreach (var service in _services)
            await service.DisposeAsync();
        if (_bus is not null)
            await _bus.StopAsync();
        if (_mailDev is not null)
            await _mailDev.DisposeAsync();
        if (_virtualHost is not null)
            await _virtualHost.DisposeAsync();
        if (_database is not null)
            await _database.DisposeAsync();
    }
}

/// <summary>Sample orders for the tests: every order gets its own ids, so tests sharing a fixture never see each other's mail.</summary>
public static class SampleOrders
{
    public static OrderSummary Summary(Guid customerId, string name = "Ada Shopper") => new(
        customerId, $"{customerId:N}@customers.test", name,
        [
            new OrderLine(Guid.NewGuid(), "MUG-1", "Blue Mug", 12.50m, 2),
            new OrderLine(Guid.NewGuid(), "TEA-7", "Green Tea", 4.25m, 3),
        ],
        37.75m, "EUR");

    public static string Number(Guid orderId) => orderId.ToString("N")[^8..].ToUpperInvariant();
}
