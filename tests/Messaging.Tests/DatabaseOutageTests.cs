using System.Net;
using System.Net.Http.Json;
using MassTransit;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Shop.BuildingBlocks.Messaging;
using Shop.Testing;
using Xunit;

namespace Shop.Messaging.Tests;

/// <summary>
/// The service's database goes away for longer than a message's in-place retries (a crash and its recovery take
/// 6-10 s here): the message must wait for the database, not end in the error queue, where its order would be lost to
/// everyone but an operator; and a request must get a 503 it can retry, not a 500. The service reaches the database
/// through a relay the test cuts; every other test keeps it.
/// </summary>
public sealed class DatabaseOutageTests : IAsyncLifetime
{
    TestDatabase _database = null!;
    TestVirtualHost _virtualHost = null!;
    TcpRelay _relay = null!;
    MessagingTestService _service = null!;

    public async Task InitializeAsync()
    {
        _database = await TestEnvironment.CreateDatabaseAsync("outage");
        _virtualHost = await TestEnvironment.CreateVirtualHostAsync("outage");
        var direct = new NpgsqlConnectionStringBuilder(_database.ConnectionString);
        _relay = new TcpRelay(direct.Host!, direct.Port);
        var relayed = new NpgsqlConnectionStringBuilder(_database.ConnectionString) { Host = "127.0.0.1", Port = _relay.Port, Timeout = 2 };
        _service = await MessagingTestService.Start(_database, _virtualHost,
            new Dictionary<string, string?> { ["ConnectionStrings:Postgres"] = relayed.ConnectionString });
    }

    public async Task DisposeAsync()
    {
        _relay.Restore();
        await _service.DisposeAsync();
        await _relay.DisposeAsync();
        await _virtualHost.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task A_message_consumed_while_the_database_is_down_waits_for_it_and_is_handled_once_it_is_back()
    {
        var workId = NewId.NextGuid();
        _relay.Cut();
        var queue = await _service.ObserverBus.GetSendEndpoint(ServiceQueues.Address(MessagingTestService.Queue));
        await queue.Send(new DoWork(workId));

        // The in-place retries (0.15 s in these settings) and the first redelivery's pause (1 s) pass while it is away.
        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.Equal(0, await _virtualHost.MessagesInQueueAsync($"{MessagingTestService.Queue}_error"));
        _relay.Restore();

        await MessagingTestService.Eventually(async () => _service.WorkDone.Any(w => w.WorkId == workId), "the work done once the database is back",
            TimeSpan.FromSeconds(60));
        Assert.Equal(1, await _service.Count<WorkEffect>());
        Assert.Equal(0, await _virtualHost.MessagesInQueueAsync($"{MessagingTestService.Queue}_error"));
    }

    [Fact]
    public async Task A_request_while_the_database_is_down_gets_503_with_retry_after_and_succeeds_once_it_is_back()
    {
        using var client = _service.Client("customer");
        var thingId = Guid.NewGuid();
        _relay.Cut();

        using var refused = await client.PostAsync($"/things/{thingId}", null);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(5), refused.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = await refused.Content.ReadFromJsonAsync<ProblemDetails>();
        Assert.Equal(503, problem!.Status);
        Assert.Contains("database is unavailable", problem.Title);

        // Pooled connections the cut broke are found out as they are used: until then the answer may still be 503, never 500.
        _relay.Restore();
        await MessagingTestService.Eventually(async () =>
        {
            using var response = await client.PostAsync($"/things/{thingId}", null);
            Assert.Contains(response.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.ServiceUnavailable });
            return response.StatusCode == HttpStatusCode.Created;
        }, "the request accepted once the database is back", TimeSpan.FromSeconds(20));
        Assert.Equal(1, await _service.Count<Thing>());
    }
}
