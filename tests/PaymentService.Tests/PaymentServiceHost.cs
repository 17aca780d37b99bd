using System.Text.Json;
using Shop.Messaging;
using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Npgsql;
using Shop.BuildingBlocks.Messaging;
using Shop.BuildingBlocks.Security;
using Shop.Contracts.Payments;
using Shop.PaymentService.Payments.ViewingPayment;
using Shop.Testing.Fakes;
using Shop.Testing;
using Xunit;

namespace Shop.PaymentService.Tests;

/// <summary>
/// PaymentService as a real process on a fresh database and RabbitMQ virtual host, with a test bus beside it that sends
/// commands to the payment queue and records every payment event the service publishes. With <c>stripe: true</c> the
/// service charges through Stripe.net against <see cref="FakeStripe"/>.
/// </summary>
public sealed class PaymentServiceHost(bool stripe, TimeSpan reconcileAfter) : IAsyncLifetime
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    readonly string _jwtKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
    readonly ConcurrentQueue<object> _events = new();
    IBusControl? _bus;

    public TestDatabase Database { get; private set; } = null!;
    public TestVirtualHost VirtualHost { get; private set; } = null!;
    public FakeStripe? Stripe { get; private set; }
    public ServiceProcess Service { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;

    public FakeStripe FakeStripe => Stripe ?? throw new InvalidOperationException("This host runs the simulated provider.");
    public Uri WebhookUrl => new(Service.BaseAddress, "api/payments/webhooks/stripe");

    public async Task InitializeAsync()
    {
        var purpose = stripe ? "pay-stripe" : "pay-sim";
        Database = await TestEnvironment.CreateDatabaseAsync(purpose.Replace('-', '_'));
        VirtualHost = await TestEnvironment.CreateVirtualHostAsync(purpose);

        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = Database.ConnectionString,
            ["ConnectionStrings__RabbitMq"] = VirtualHost.AmqpUri.ToString(),
            ["Jwt__SigningKey"] = _jwtKey,
            ["Payments__Reconciliation__FirstDelay"] = reconcileAfter.ToString("c"),
        };
        if (stripe)
        {
            Stripe = await FakeStripe.StartAsync();
            environment["Stripe__SecretKey"] = FakeStripe.SecretKey;
            environment["Stripe__ApiBase"] = Stripe.BaseAddress.ToString();
            environment["Stripe__WebhookSecret"] = Stripe.WebhookSecret;
            environment["Stripe__MaxNetworkRetries"] = "2";
        }

        var port = LoopbackPorts.Next();
        var log = Path.Combine(RepositoryLayout.Root, ".shop", "test-logs", $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{purpose}", "payments.log");
        Service = new ServiceProcess("payments", RepositoryLayout.ServiceDll("PaymentService"), port, environment, log);
        Service.Start();
        await Service.WaitUntilReadyAsync(TimeSpan.FromMinutes(3));
        Http = new HttpClient { BaseAddress = Service.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

        var rabbit = RabbitMqSettings.From(new ConfigurationBuilder()
            .AddInMemoryCollection([new("ConnectionStrings:RabbitMq", VirtualHost.AmqpUri.ToString())]).Build());
        _bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(rabbit.Host, rabbit.Port, rabbit.VirtualHost, h =>
            {
                h.Username(rabbit.Username);
                h.Password(rabbit.Password);
            });
            cfg.ReceiveEndpoint("payment-events-under-test", e =>
            {
                e.Handler<PaymentCaptured>(Record);
                e.Handler<PaymentFailed>(Record);
                e.Handler<PaymentRefunded>(Record);
                e.Handler<RefundFailed>(Record);
            });
        });
        await _bus.StartAsync();
    }

    Task Record<T>(ConsumeContext<T> context) where T : class
    {
        _events.Enqueue(context.Message);
        return Task.CompletedTask;
    }

    public IReadOnlyList<T> Events<T>(Guid orderId) where T : class =>
        _events.OfType<T>().Where(e => (Guid)typeof(T).GetProperty("OrderId")!.GetValue(e)! == orderId).ToList();

    public async Task<T> WaitForEvent<T>(Guid orderId, TimeSpan? timeout = null) where T : class
    {
        var deadline = DateTime.UtcNow + (timeout ?? Patience);
        while (DateTime.UtcNow < deadline)
        {
            if (Events<T>(orderId).FirstOrDefault() is { } found)
                return found;
            await Task.Delay(100);
        }
        throw new TimeoutException($"No {typeof(T).Name} for order {orderId} within {timeout ?? Patience}; events so far: " +
                                   $"{string.Join(", ", _events.Select(e => e.GetType().Name))}\n{Service.Tail()}");
    }

    public async Task Send<T>(T command, Guid? messageId = null) where T : class
    {
        var endpoint = await _bus!.GetSendEndpoint(ServiceQueues.Address(ServiceQueues.Payments));
        await endpoint.Send(command, context =>
        {
            if (messageId is { } id)
                context.MessageId = id;
        });
    }

    /// <summary>The ledger stream's event types in order (Marten's snake_case names, e.g. payment_captured).</summary>
    public async Task<List<string>> LedgerEvents(Guid orderId)
    {
        await using var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select type from payments.mt_events where stream_id = @id order by version", connection);
        command.Parameters.AddWithValue("id", orderId);
        var types = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            types.Add(reader.GetString(0));
        return types;
    }

    /// <summary>Whether any text stored for the order's ledger (its events and snapshot) contains the value.</summary>
    public async Task<bool> LedgerMentions(Guid orderId, string value)
    {
        await using var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            select exists(select 1 from payments.mt_events where stream_id = @id and data::text like @value)
                or exists(select 1 from payments.mt_doc_paymentledger where id = @id and data::text like @value)
            """, connection);
        command.Parameters.AddWithValue("id", orderId);
        command.Parameters.AddWithValue("value", $"%{value}%");
        return (bool)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Messages the given consumer has taken in (rows of the service's inbox).</summary>
    public async Task<int> InboxEntries(string consumerName)
    {
        await using var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select count(*) from payments.inbox where consumer like @name", connection);
        command.Parameters.AddWithValue("name", $"%{consumerName}%");
        return Convert.ToInt32(await command.ExecuteScalarAsync());
    }

    /// <summary>Copies of already handled messages the payment service's inbox dropped since it started (GET /admin/messaging).</summary>
    public async Task<long> DuplicatesDropped()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "admin/messaging");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.Create(_jwtKey, Guid.NewGuid(), "ops@shop.test", ShopRoles.Admin));
        using var response = await Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("duplicatesDropped").GetInt64();
    }

    public async Task WaitUntil(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        if (!await Poll.Until(condition, timeout ?? Patience))
            throw new TimeoutException($"Timed out waiting until {what}\n{Service.Tail()}");
    }

    /// <summary>GET /api/payments/{orderId} as the given user (an admin unless told otherwise).</summary>
    public async Task<HttpResponseMessage> ViewPayment(Guid orderId, Guid? userId = null, bool admin = true)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/payments/{orderId}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token(userId ?? Guid.NewGuid(), admin));
        return await Http.SendAsync(request);
    }

    public async Task<PaymentResponse> Payment(Guid orderId)
    {
        using var response = await ViewPayment(orderId);
        await ShopApi.EnsureSuccess(response);
        return (await response.Content.ReadFromJsonAsync<PaymentResponse>(ShopApi.Json))!;
    }

    public async Task<PaymentResponse> WaitForPaymentStatus(Guid orderId, string status)
    {
        PaymentResponse? last = null;
        await WaitUntil(async () =>
        {
            using var response = await ViewPayment(orderId);
            if (!response.IsSuccessStatusCode)
                return false;
            last = await response.Content.ReadFromJsonAsync<PaymentResponse>(ShopApi.Json);
            return last?.Status == status;
        }, $"payment {orderId} is {status} (last: {last?.Status ?? "none"})");
        return last!;
    }

    /// <summary>An access token like the gateway issues.</summary>
    public string Token(Guid userId, bool admin) =>
        TestTokens.Create(_jwtKey, userId, $"{userId:N}@shop.test", admin ? ShopRoles.Admin : ShopRoles.Customer);

    public async Task DisposeAsync()
    {
        if (_bus is not null)
            await _bus.StopAsync();
        Http?.Dispose();
        if (Service is not null)
            await Service.DisposeAsync();
        if (Stripe is not null)
            await Stripe.DisposeAsync();
        await VirtualHost.DisposeAsync();
        await Database.DisposeAsync();
    }

}

[CollectionDefinition(Name)]
public sealed class StripeServiceCollection : ICollectionFixture<StripeServiceFixture>
{
    public const string Name = "payment-service-stripe";
}

[CollectionDefinition(Name)]
public sealed class SimulatedServiceCollection : ICollectionFixture<SimulatedServiceFixture>
{
    public const string Name = "payment-service-simulated";
}

public sealed class StripeServiceFixture() : IAsyncLifetime
{
    // Pending charges are settled by the webhooks the tests send; the reconciliation must not race them.
    public PaymentServiceHost Host { get; } = new(stripe: true, reconcileAfter: TimeSpan.FromMinutes(30));
    public Task InitializeAsync() => Host.InitializeAsync();
    public Task DisposeAsync() => Host.DisposeAsync();
}

public sealed class SimulatedServiceFixture() : IAsyncLifetime
{
    public PaymentServiceHost Host { get; } = new(stripe: false, reconcileAfter: TimeSpan.FromSeconds(2));
    public Task InitializeAsync() => Host.InitializeAsync();
    public Task DisposeAsync() => Host.DisposeAsync();
}
