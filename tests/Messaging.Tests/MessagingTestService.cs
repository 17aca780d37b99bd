using Shop.BuildingBlocks;
using Shop.Messaging;
using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Marten;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Shop.BuildingBlocks.Messaging;
using Shop.BuildingBlocks.Persistence;
using Shop.Testing;
using Xunit;

namespace Shop.Messaging.Tests;

// The messages and documents of a small service built on the building blocks exactly like the real ones.
public record DoWork(Guid WorkId);
public record WorkDone(Guid WorkId);
public record ThingCreated(Guid ThingId);
public record Reminder(Guid ReminderId);
public record StartWork(Guid WorkId);

public class WorkEffect
{
    public Guid Id { get; set; }
}

public class Thing
{
    public Guid Id { get; set; }
}

/// <summary>
/// Does its work once per message; fails on purpose for ids listed in <see cref="Broken"/>. Counts every attempt, so
/// tests can tell how often it ran.
/// </summary>
public sealed class DoWorkConsumer(IDocumentSession session) : IConsumer<DoWork>
{
    public static readonly ConcurrentDictionary<Guid, bool> Broken = new();
    public static readonly ConcurrentDictionary<Guid, int> Attempts = new();
    /// <summary>Work that waits, taking its place in the endpoint's concurrency, until its task completes.</summary>
    public static readonly ConcurrentDictionary<Guid, TaskCompletionSource> Held = new();

    public async Task Consume(ConsumeContext<DoWork> context)
    {
        Attempts.AddOrUpdate(context.Message.WorkId, 1, (_, count) => count + 1);
        if (Held.TryGetValue(context.Message.WorkId, out var hold))
            await hold.Task;
        session.Insert(new WorkEffect { Id = context.Message.WorkId });
        await context.Publish(new WorkDone(context.Message.WorkId));
        if (Broken.ContainsKey(context.Message.WorkId))
            throw new InvalidOperationException($"work {context.Message.WorkId} is broken");
    }
}

/// <summary>New work: records when each was consumed.</summary>
public sealed class StartWorkConsumer(IDocumentSession session) : IConsumer<StartWork>
{
    public static readonly ConcurrentDictionary<Guid, DateTime> Started = new();

    public Task Consume(ConsumeContext<StartWork> context)
    {
        Started.TryAdd(context.Message.WorkId, DateTime.UtcNow);
        session.Insert(new WorkEffect { Id = context.Message.WorkId });
        return Task.CompletedTask;
    }
}

/// <summary>
/// A service host (in-process, test server) using AddShopMarten + AddShopMessaging on a real database and virtual host,
/// plus an observer bus that records what the service publishes. Several hosts can share one database (restarts).
/// </summary>
public sealed class MessagingTestService : IAsyncDisposable
{
    public const string Queue = "work";
    public static readonly string SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));

    readonly WebApplication _app;
    readonly IBusControl _observer;

    /// <summary>What the observer received (it binds its own queue to every message type the service publishes).</summary>
    public ConcurrentQueue<WorkDone> WorkDone { get; }
    public ConcurrentQueue<ThingCreated> ThingsCreated { get; }
    public ConcurrentQueue<(Reminder Reminder, DateTime ReceivedAt)> Reminders { get; }

    MessagingTestService(WebApplication app, IBusControl observer, ConcurrentQueue<WorkDone> workDone, ConcurrentQueue<ThingCreated> thingsCreated,
        ConcurrentQueue<(Reminder, DateTime)> reminders)
    {
        _app = app;
        _observer = observer;
        WorkDone = workDone;
        ThingsCreated = thingsCreated;
        Reminders = reminders;
    }

    public IServiceProvider Services => _app.Services;
    public IDocumentStore Store => _app.Services.GetRequiredService<IDocumentStore>();
    public IBus ObserverBus => _observer;

    public HttpClient Client(params string[] roles)
    {
        var client = _app.GetTestClient();
        client.DefaultRequestHeaders.Authorization =
            new AuthenticationHeaderValue("Bearer", TestTokens.Create(SigningKey, Guid.NewGuid(), "ops@shop.test", roles));
        return client;
    }

    /// <summary>
    /// The messaging settings of the tests: redelivery on (two short in-place retries, then three redeliveries a second
    /// apart), a short dispatch lease so that the relay's part shows within seconds, a quick relay.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string?> FastMessaging = new Dictionary<string, string?>
    {
        ["Messaging:RetryIntervals"] = "00:00:00.05,00:00:00.1",
        ["Messaging:RedeliveryIntervals"] = "00:00:01,00:00:01,00:00:01",
        ["Messaging:DispatchLease"] = "00:00:02",
        ["Messaging:SendTimeout"] = "00:00:01",
        ["Messaging:RelayPollInterval"] = "00:00:00.2",
        ["Messaging:MaxSendAttempts"] = "2",
    };

    public static async Task<MessagingTestService> Start(TestDatabase database, TestVirtualHost virtualHost,
        IReadOnlyDictionary<string, string?>? settings = null, Intake.NewWorkIntake? intake = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = database.ConnectionString,
            ["ConnectionStrings:RabbitMq"] = virtualHost.AmqpUri.ToString(),
            ["Jwt:SigningKey"] = SigningKey,
            ["Logging:Format"] = "text",
        });
        builder.Configuration.AddInMemoryCollection(FastMessaging);
        if (settings is not null)
            builder.Configuration.AddInMemoryCollection(settings);
        builder.AddShopDefaults("work-service");
        builder.AddShopMarten("work", options =>
        {
            options.Schema.For<WorkEffect>();
            options.Schema.For<Thing>();
        });
        builder.AddShopMessaging(Queue, bus =>
        {
            bus.AddConsumer<DoWorkConsumer>();
            bus.AddConsumer<StartWorkConsumer>();
        }, intake);

        var app = builder.Build();
        // MassTransit's log context is process-wide and kept once set: the buses here would take a restarted service's
        // disposed logger factory.
        LogContext.ConfigureCurrentLogContext(app.Services.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>());
        app.UseShopDefaults();
        // An HTTP handler using the bus outbox: state and message commit together or not at all.
        app.MapPost("/things/{id:guid}", async (Guid id, IDocumentSession session, IPublishEndpoint publish) =>
        {
            session.Insert(new Thing { Id = id });
            await publish.Publish(new ThingCreated(id));
            await session.SaveChangesAsync();
            return Results.Created($"/things/{id}", null);
        });
        // Scheduling from an HTTP handler: the schedule commits with the handler's transaction; the answer is its token.
        app.MapPost("/reminders/{id:guid}", async (Guid id, int seconds, IDocumentSession session, IMessageScheduler scheduler) =>
        {
            var scheduled = await scheduler.SchedulePublish(DateTime.UtcNow.AddSeconds(seconds), new Reminder(id));
            await session.SaveChangesAsync();
            return Results.Accepted(value: scheduled.TokenId);
        });
        app.MapDelete("/reminders/{token:guid}", async (Guid token, IDocumentSession session, IMessageScheduler scheduler) =>
        {
            await scheduler.CancelScheduledPublish<Reminder>(token);
            await session.SaveChangesAsync();
            return Results.NoContent();
        });
        // The observer's queue is bound before the service can publish anything, so nothing it sends is missed.
        var rabbit = RabbitMqSettings.From(app.Configuration);
        var workDone = new ConcurrentQueue<WorkDone>();
        var thingsCreated = new ConcurrentQueue<ThingCreated>();
        var reminders = new ConcurrentQueue<(Reminder, DateTime)>();
        var observer = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(rabbit.Host, rabbit.Port, rabbit.VirtualHost, h => { h.Username(rabbit.Username); h.Password(rabbit.Password); });
            cfg.ReceiveEndpoint($"observer-{Guid.NewGuid():N}", e =>
            {
                e.AutoDelete = true;
                e.Handler<WorkDone>(c => { workDone.Enqueue(c.Message); return Task.CompletedTask; });
                e.Handler<ThingCreated>(c => { thingsCreated.Enqueue(c.Message); return Task.CompletedTask; });
                e.Handler<Reminder>(c => { reminders.Enqueue((c.Message, DateTime.UtcNow)); return Task.CompletedTask; });
            });
        });
        await observer.StartAsync();
        await app.StartAsync();
        return new MessagingTestService(app, observer, workDone, thingsCreated, reminders);
    }

    public async Task<int> Count<T>() where T : class
    {
        await using var session = Store.QuerySession();
        return await session.Query<T>().CountAsync();
    }

    /// <summary>A scalar from the service's database (its messaging tables are work.outbox and work.inbox).</summary>
    public async Task<T> Scalar<T>(string sql, params object[] parameters)
    {
        await using var command = Services.GetRequiredService<Npgsql.NpgsqlDataSource>().CreateCommand(sql);
        foreach (var parameter in parameters)
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = parameter });
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public static async Task Eventually(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        if (!await Poll.Until(condition, timeout ?? TimeSpan.FromSeconds(30)))
            Assert.Fail($"Timed out waiting for: {what}");
    }

    public async ValueTask DisposeAsync()
    {
        // The service first, so nothing it still sends while stopping goes past a stopped observer.
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _observer.StopAsync();
    }
}
