using System.Net;
using Marten;
using MassTransit;
using Shop.BuildingBlocks.Messaging.Outbox;
using Shop.Testing;
using Xunit;

namespace Shop.BuildingBlocks.Tests.Messaging;

/// <summary>The PostgreSQL-backed scheduler: on time, not before, and still there after the service restarts.</summary>
public sealed class DurableSchedulerTests : IAsyncLifetime
{
    TestDatabase _database = null!;
    TestVirtualHost _virtualHost = null!;

    public async Task InitializeAsync()
    {
        _database = await TestEnvironment.CreateDatabaseAsync("scheduler");
        _virtualHost = await TestEnvironment.CreateVirtualHostAsync("scheduler");
    }

    public async Task DisposeAsync()
    {
        await _virtualHost.DisposeAsync();
        await _database.DisposeAsync();
    }

    static async Task<string> Describe(MessagingTestService service)
    {
        await using var session = service.Store.QuerySession();
        var rows = await session.Query<OutboxMessage>().ToListAsync();
        return string.Join("; ", rows.Select(r => $"{r.MessageType} to {r.DestinationAddress} due {r.EnqueueTime:O} outbox {r.OutboxId}"));
    }

    [Fact]
    public async Task A_scheduled_message_arrives_when_due_even_across_a_restart_of_the_service()
    {
        var reminderId = NewId.NextGuid();
        var scheduledAt = DateTime.UtcNow;

        await using (var first = await MessagingTestService.Start(_database, _virtualHost))
        {
            using var client = first.Client("customer");
            Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/reminders/{reminderId}?seconds=12", null)).StatusCode);
            // The schedule is stored (an outbox row with a due time) before the service goes away.
            await MessagingTestService.Eventually(async () =>
            {
                await using var session = first.Store.QuerySession();
                return await session.Query<OutboxMessage>().AnyAsync(m => m.EnqueueTime != null);
            }, "the scheduled message stored");
            Assert.Empty(first.Reminders);
        }

        await using var second = await MessagingTestService.Start(_database, _virtualHost);
        var due = await Describe(second);
        await MessagingTestService.Eventually(async () => second.Reminders.Any(r => r.Reminder.ReminderId == reminderId),
            $"the reminder delivered by the restarted service (outbox when it started: {due})", TimeSpan.FromSeconds(60));
        var delivered = second.Reminders.Single(r => r.Reminder.ReminderId == reminderId).ReceivedAt;
        Assert.True(delivered - scheduledAt >= TimeSpan.FromSeconds(11.5), $"delivered after {delivered - scheduledAt}, before it was due");
    }
}
