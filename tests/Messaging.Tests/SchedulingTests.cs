using System.Net;
using System.Net.Http.Json;
using MassTransit;
using Shop.Testing;
using Xunit;

namespace Shop.Messaging.Tests;

/// <summary>Scheduled messages are outbox rows with a due time: on time, once, across restarts, and gone when unscheduled.</summary>
public sealed class SchedulingTests : IAsyncLifetime
{
    TestDatabase _database = null!;
    TestVirtualHost _virtualHost = null!;

    public async Task InitializeAsync()
    {
        _database = await TestEnvironment.CreateDatabaseAsync("scheduling");
        _virtualHost = await TestEnvironment.CreateVirtualHostAsync("scheduling");
    }

    public async Task DisposeAsync()
    {
        await _virtualHost.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task A_scheduled_message_arrives_once_when_due_even_across_a_restart_of_the_service()
    {
        var reminderId = NewId.NextGuid();
        var scheduledAt = DateTime.UtcNow;

        await using (var first = await MessagingTestService.Start(_database, _virtualHost))
        {
            using var client = first.Client("customer");
            Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/reminders/{reminderId}?seconds=8", null)).StatusCode);
            // The schedule is stored (an outbox row with a due time) before the service goes away.
            Assert.Equal(1L, await first.Scalar<long>("select count(*) from work.outbox where scheduled_for is not null"));
            Assert.Empty(first.Reminders);
        }

        await using var second = await MessagingTestService.Start(_database, _virtualHost);
        await MessagingTestService.Eventually(async () => second.Reminders.Any(r => r.Reminder.ReminderId == reminderId),
            "the reminder delivered by the restarted service", TimeSpan.FromSeconds(60));
        var delivered = second.Reminders.Single(r => r.Reminder.ReminderId == reminderId).ReceivedAt;
        Assert.True(delivered - scheduledAt >= TimeSpan.FromSeconds(7.5), $"delivered after {delivered - scheduledAt}, before it was due");
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Single(second.Reminders, r => r.Reminder.ReminderId == reminderId);
        Assert.Equal(0L, await second.Scalar<long>("select count(*) from work.outbox"));
    }

    [Fact]
    public async Task An_unscheduled_message_never_arrives()
    {
        await using var service = await MessagingTestService.Start(_database, _virtualHost);
        using var client = service.Client("customer");
        var cancelled = NewId.NextGuid();
        var kept = NewId.NextGuid();

        var scheduled = await client.PostAsync($"/reminders/{cancelled}?seconds=2", null);
        var token = await scheduled.Content.ReadFromJsonAsync<Guid>();
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/reminders/{kept}?seconds=2", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/reminders/{token}")).StatusCode);
        Assert.Equal(0L, await service.Scalar<long>("select count(*) from work.outbox where id = $1", token));

        await MessagingTestService.Eventually(async () => service.Reminders.Any(r => r.Reminder.ReminderId == kept), "the other reminder delivered");
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.DoesNotContain(service.Reminders, r => r.Reminder.ReminderId == cancelled);
    }
}
