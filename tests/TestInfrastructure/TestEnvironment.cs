using System.Net.Http.Headers;
using System.Text;
using Npgsql;
using Testcontainers.PostgreSql;
using Testcontainers.RabbitMq;

namespace Shop.Testing;

/// <summary>
/// Where the tests find PostgreSQL and RabbitMQ. `./shop test` starts both and sets SHOP_TEST_POSTGRES,
/// SHOP_TEST_RABBITMQ and SHOP_TEST_RABBITMQ_MANAGEMENT. Without them the tests start containers where a Docker engine
/// answers, and otherwise fail loudly: they never skip.
/// </summary>
public static class TestEnvironment
{
    static readonly SemaphoreSlim Gate = new(1, 1);
    static Servers? _servers;

    public sealed record Servers(string PostgresBase, Uri RabbitMq, Uri? RabbitManagement);

    public static async Task<Servers> GetServersAsync()
    {
        await Gate.WaitAsync();
        try
        {
            return _servers ??= await ResolveAsync();
        }
        finally
        {
            Gate.Release();
        }
    }

    static async Task<Servers> ResolveAsync()
    {
        var postgres = Environment.GetEnvironmentVariable("SHOP_TEST_POSTGRES");
        var rabbit = Environment.GetEnvironmentVariable("SHOP_TEST_RABBITMQ");
        if (!string.IsNullOrWhiteSpace(postgres) && !string.IsNullOrWhiteSpace(rabbit))
        {
            var management = Environment.GetEnvironmentVariable("SHOP_TEST_RABBITMQ_MANAGEMENT");
            return new Servers(postgres, new Uri(rabbit), string.IsNullOrWhiteSpace(management) ? null : new Uri(management));
        }

        if (!DockerAnswers())
            throw new InvalidOperationException(
                "No PostgreSQL/RabbitMQ for the tests: SHOP_TEST_POSTGRES and SHOP_TEST_RABBITMQ are not set and no Docker engine answers. " +
                "Run the tests with `./shop test`, which starts both servers.");

        var pg = new PostgreSqlBuilder("postgres:15").Build();
        var mq = new RabbitMqBuilder("rabbitmq:3.13-management").WithUsername("guest").WithPassword("guest").Build();
        await Task.WhenAll(pg.StartAsync(), mq.StartAsync());
        var pgBuilder = new NpgsqlConnectionStringBuilder(pg.GetConnectionString()) { Database = null };
        return new Servers(pgBuilder.ConnectionString, new Uri(mq.GetConnectionString()), null);
    }

    static bool DockerAnswers() =>
        File.Exists("/var/run/docker.sock") || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOCKER_HOST"));

    /// <summary>A fresh database on the test server; dropped when disposed.</summary>
    public static async Task<TestDatabase> CreateDatabaseAsync(string purpose)
    {
        var servers = await GetServersAsync();
        var name = $"shop_test_{purpose}_{Guid.NewGuid():N}".ToLowerInvariant();
        if (name.Length > 63)
            name = name[..63]; // PostgreSQL's identifier limit
        await using (var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(servers.PostgresBase) { Database = "postgres" }.ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"create database \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        var connectionString = new NpgsqlConnectionStringBuilder(servers.PostgresBase) { Database = name, MaxPoolSize = 40 }.ConnectionString;
        return new TestDatabase(name, connectionString, servers.PostgresBase);
    }

    /// <summary>
    /// A fresh RabbitMQ virtual host (durable queues of one run never leak into the next); deleted when disposed.
    /// With a default queue type (e.g. quorum), queues declared without x-queue-type get that type.
    /// </summary>
    public static async Task<TestVirtualHost> CreateVirtualHostAsync(string purpose, string? defaultQueueType = null)
    {
        var servers = await GetServersAsync();
        if (servers.RabbitManagement is null)
            return defaultQueueType is null
                ? new TestVirtualHost("/", servers.RabbitMq, null)
                : throw new InvalidOperationException("A virtual host with a default queue type needs the RabbitMQ management API (SHOP_TEST_RABBITMQ_MANAGEMENT).");

        var name = $"test-{purpose}-{Guid.NewGuid():N}";
        using var http = ManagementClient(servers.RabbitManagement);
        var settings = defaultQueueType is null ? null
            // RabbitMQ 3.10's API reads defaultqueuetype; later versions also document default_queue_type.
            : new StringContent($$"""{"defaultqueuetype":"{{defaultQueueType}}","default_queue_type":"{{defaultQueueType}}"}""", Encoding.UTF8, "application/json");
        (await http.PutAsync($"api/vhosts/{Uri.EscapeDataString(name)}", settings)).EnsureSuccessStatusCode();
        (await http.PutAsync($"api/permissions/{Uri.EscapeDataString(name)}/guest",
            new StringContent("""{"configure":".*","write":".*","read":".*"}""", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        var uri = new UriBuilder(servers.RabbitMq) { Path = "/" + Uri.EscapeDataString(name) }.Uri;
        return new TestVirtualHost(name, uri, servers.RabbitManagement);
    }

    internal static HttpClient ManagementClient(Uri management)
    {
        var http = new HttpClient { BaseAddress = management };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.ASCII.GetBytes("guest:guest")));
        return http;
    }
}

public sealed class TestDatabase(string name, string connectionString, string serverBase) : IAsyncDisposable
{
    public string Name { get; } = name;
    public string ConnectionString { get; } = connectionString;

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(serverBase) { Database = "postgres" }.ConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"drop database if exists \"{Name}\" with (force)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}

public sealed class TestVirtualHost(string name, Uri amqpUri, Uri? management) : IAsyncDisposable
{
    public string Name { get; } = name;
    /// <summary>amqp://user:pass@host:port/vhost, the form ConnectionStrings:RabbitMq takes.</summary>
    public Uri AmqpUri { get; } = amqpUri;

    /// <summary>
    /// Number of messages waiting in a queue of this virtual host (needs the management API); 0 for a queue that was never
    /// declared (MassTransit declares an error queue with its first message).
    /// </summary>
    public async Task<int> MessagesInQueueAsync(string queue)
    {
        using var document = await ManagementJsonAsync($"queues/{Uri.EscapeDataString(Name)}/{Uri.EscapeDataString(queue)}", "Queue inspection");
        return document is not null && document.RootElement.TryGetProperty("messages", out var messages) ? messages.GetInt32() : 0;
    }

    /// <summary>Messages waiting in the dead-letter queues (&lt;queue&gt;_error) of this virtual host (needs the management API).</summary>
    public async Task<long> MessagesInErrorQueuesAsync()
    {
        using var document = await VirtualHostJsonAsync("queues", "name,messages");
        return document.RootElement.EnumerateArray()
            .Where(q => q.GetProperty("name").GetString()!.EndsWith("_error", StringComparison.Ordinal))
            .Sum(q => q.TryGetProperty("messages", out var messages) && messages.ValueKind == System.Text.Json.JsonValueKind.Number ? messages.GetInt64() : 0);
    }

    /// <summary>
    /// A queue as the management API reports it. Its figures lag the broker by up to the statistics interval (5 s) and
    /// are missing (null) for a queue it has not sampled yet, e.g. right after a broker restart.
    /// </summary>
    public sealed record QueueFigures(string Name, long? Ready, long? Unacknowledged);

    /// <summary>Every queue of this virtual host with the messages waiting in it and those delivered but not acknowledged.</summary>
    public async Task<IReadOnlyList<QueueFigures>> QueuesAsync()
    {
        using var document = await VirtualHostJsonAsync("queues", "name,messages_ready,messages_unacknowledged");
        static long? Figure(System.Text.Json.JsonElement queue, string name) =>
            queue.TryGetProperty(name, out var value) && value.ValueKind == System.Text.Json.JsonValueKind.Number ? value.GetInt64() : null;
        return document.RootElement.EnumerateArray()
            .Select(q => new QueueFigures(q.GetProperty("name").GetString()!, Figure(q, "messages_ready"), Figure(q, "messages_unacknowledged")))
            .ToList();
    }

    /// <summary>The exchanges bound to an exchange of this virtual host (the message types routed to it); empty for none.</summary>
    public async Task<IReadOnlyList<string>> ExchangesBoundToAsync(string exchange)
    {
        using var document = await ManagementJsonAsync($"exchanges/{Uri.EscapeDataString(Name)}/{Uri.EscapeDataString(exchange)}/bindings/destination",
            "Binding inspection");
        return document is null ? [] : document.RootElement.EnumerateArray().Select(binding => binding.GetProperty("source").GetString()!).ToList();
    }

    /// <summary>A management API resource (the path after api/), or null where it answers 404 (a queue or exchange never declared).</summary>
    async Task<System.Text.Json.JsonDocument?> ManagementJsonAsync(string path, string inspection)
    {
        if (management is null)
            throw new InvalidOperationException($"{inspection} needs the RabbitMQ management API (SHOP_TEST_RABBITMQ_MANAGEMENT).");
        using var http = TestEnvironment.ManagementClient(management);
        using var response = await http.GetAsync($"api/{path}");
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
            return null;
        return System.Text.Json.JsonDocument.Parse(await response.EnsureSuccessStatusCode().Content.ReadAsStringAsync());
    }

    /// <summary>A list of this virtual host's (queues, ...) with the columns asked for; the virtual host must exist.</summary>
    async Task<System.Text.Json.JsonDocument> VirtualHostJsonAsync(string kind, string columns) =>
        await ManagementJsonAsync($"{kind}/{Uri.EscapeDataString(Name)}?columns={columns}", "Queue inspection")
        ?? throw new InvalidOperationException($"The virtual host {Name} does not exist");

    public async ValueTask DisposeAsync()
    {
        if (management is null)
            return;
        using var http = TestEnvironment.ManagementClient(management);
        await http.DeleteAsync($"api/vhosts/{Uri.EscapeDataString(Name)}");
    }
}
