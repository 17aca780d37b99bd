using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Shop.Testing;

namespace Shop.Deployment.Tests.ScaleOut;

/// <summary>Who consumes a queue and how many messages each consumer was given, from RabbitMQ's management API.</summary>
public sealed class RabbitMqConsumers(Uri management, TestVirtualHost virtualHost) : IDisposable
{
    public sealed record Consumer(string Channel, string Connection, long Delivered);

    readonly HttpClient _http = CreateClient(management, virtualHost.AmqpUri);

    public static async Task<RabbitMqConsumers> ConnectAsync(TestVirtualHost virtualHost)
    {
        var servers = await TestEnvironment.GetServersAsync();
        var management = servers.RabbitManagement
            ?? throw new InvalidOperationException("The scale-out test reads RabbitMQ's management API: set SHOP_TEST_RABBITMQ_MANAGEMENT (./shop test does).");
        return new RabbitMqConsumers(management, virtualHost);
    }

    /// <summary>classic or quorum.</summary>
    public async Task<string> TypeOfQueueAsync(string queue)
    {
        using var document = JsonDocument.Parse(await _http.GetStringAsync($"api/queues/{Escape(virtualHost.Name)}/{Escape(queue)}"));
        return document.RootElement.GetProperty("type").GetString()!;
    }

    public async Task<List<Consumer>> OfQueueAsync(string queue)
    {
        using var queueDocument = JsonDocument.Parse(await _http.GetStringAsync($"api/queues/{Escape(virtualHost.Name)}/{Escape(queue)}"));
        var consumers = new List<Consumer>();
        foreach (var detail in queueDocument.RootElement.GetProperty("consumer_details").EnumerateArray())
        {
            var channel = detail.GetProperty("channel_details");
            var name = channel.GetProperty("name").GetString()!;
            using var channelDocument = JsonDocument.Parse(await _http.GetStringAsync($"api/channels/{Escape(name)}"));
            var delivered = channelDocument.RootElement.TryGetProperty("message_stats", out var stats) && stats.TryGetProperty("deliver_get", out var count)
                ? count.GetInt64()
                : 0;
            consumers.Add(new Consumer(name, channel.GetProperty("connection_name").GetString()!, delivered));
        }
        return consumers;
    }

    static string Escape(string value) => Uri.EscapeDataString(value);

    static HttpClient CreateClient(Uri management, Uri amqp)
    {
        var credentials = Uri.UnescapeDataString(amqp.UserInfo);
        var http = new HttpClient { BaseAddress = management, Timeout = TimeSpan.FromSeconds(15) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        return http;
    }

    public void Dispose() => _http.Dispose();
}
