using System.Net.Http.Json;
using Marten;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Shop.BuildingBlocks.Messaging;
using Shop.BuildingBlocks.Messaging.DeadLetters;
using Shop.Messaging.Outbox;
using Shop.Testing;
using Xunit;

namespace Shop.Messaging.Tests;

/// <summary>
/// What the outbox leaves behind when a process dies at the worst moments, and how the relay and the inbox make up for
/// it. A "crash" here is a unit of work that commits and then never runs its own dispatch: the state a killed process
/// leaves in the database is exactly that (its committed rows, still leased to it).
/// </summary>
public sealed class CrashRecoveryTests : IAsyncLifetime
{
    TestDatabase _database = null!;
    TestVirtualHost _virtualHost = null!;
    MessagingTestService _service = null!;

    public async Task InitializeAsync()
    {
        _database = await TestEnvironment.CreateDatabaseAsync("crash");
        _virtualHost = await TestEnvironment.CreateVirtualHostAsync("crash");
        _service = await MessagingTestService.Start(_database, _virtualHost);
    }

    public async Task DisposeAsync()
    {
        await _service.DisposeAsync();
        await _virtualHost.DisposeAsync();
        await _database.DisposeAsync();
    }

    /// <summary>Commits DoWork(workId) to the service's own queue through a unit of work that dies before it sends.</summary>
    async Task CommitWithoutSending(Guid workId, Guid messageId)
    {
        await using var scope = _service.Services.CreateAsyncScope();
        var session = scope.ServiceProvider.GetRequiredService<IDocumentSession>();
        var outbox = scope.ServiceProvider.GetRequiredService<TransactionalOutbox>();
        outbox.DispatchOnCommit = false;
        var queue = await outbox.SendEndpointProvider(_service.Services.GetRequiredService<IBus>())
            .GetSendEndpoint(ServiceQueues.Address(MessagingTestService.Queue));
        await queue.Send(new DoWork(workId), context => context.MessageId = messageId);
        await session.SaveChangesAsync();
    }

    [Fact]
    public async Task A_crash_between_commit_and_send_loses_nothing()
    {
        var workId = NewId.NextGuid();
        var messageId = NewId.NextGuid();
        var committedAt = DateTime.UtcNow;
        await CommitWithoutSending(workId, messageId);

        // The message waits in the outbox, leased to the process that died...
        Assert.Equal(1L, await _service.Scalar<long>("select count(*) from work.outbox where message_id = $1", messageId));
        // ...and once the lease is over the relay sends it: consumed once, its own message published once.
        await MessagingTestService.Eventually(async () => _service.WorkDone.Any(w => w.WorkId == workId), "the orphaned message relayed and consumed");
        Assert.True(DateTime.UtcNow - committedAt >= TimeSpan.FromSeconds(1.9), "the relay did not wait for the lease");
        await Task.Delay(1000);
        Assert.Single(_service.WorkDone, w => w.WorkId == workId);
        Assert.Equal(1, DoWorkConsumer.Attempts[workId]);
        await MessagingTestService.Eventually(async () => await _service.Scalar<long>("select count(*) from work.outbox") == 0, "the outbox emptied");
    }

    [Fact]
    public async Task A_crash_between_the_brokers_confirm_and_the_sent_mark_yields_a_duplicate_that_the_inbox_drops()
    {
        var workId = NewId.NextGuid();
        var messageId = NewId.NextGuid();
        var counters = _service.Services.GetRequiredService<MessagingCounters>();
        var duplicatesBefore = counters.DuplicatesDropped;
        await CommitWithoutSending(workId, messageId);

        // The dying process got as far as the broker's confirm, but not to deleting the row.
        OutboxEnvelope envelope;
        await using (var select = _service.Services.GetRequiredService<NpgsqlDataSource>()
                         .CreateCommand($"select {OutboxEnvelope.SelectColumns} from work.outbox where message_id = $1"))
        {
            select.Parameters.Add(new NpgsqlParameter { Value = messageId });
            await using var reader = await select.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            envelope = OutboxEnvelope.Read(reader);
        }
        Assert.Null(await _service.Services.GetRequiredService<OutboxDispatcher>().TrySend(envelope, CancellationToken.None));
        await MessagingTestService.Eventually(async () => _service.WorkDone.Any(w => w.WorkId == workId), "the first copy consumed");

        // After the lease the relay sends the row again: the same message id reaches the consumer twice.
        await MessagingTestService.Eventually(async () => counters.DuplicatesDropped > duplicatesBefore, "the relayed copy dropped by the inbox");
        Assert.Single(_service.WorkDone, w => w.WorkId == workId);
        Assert.Equal(1, await _service.Count<WorkEffect>());
        await MessagingTestService.Eventually(async () => await _service.Scalar<long>("select count(*) from work.outbox") == 0, "the outbox emptied");
    }

    [Fact]
    public async Task Two_relays_never_send_one_row_twice()
    {
        // A second instance of the service on the same database: two relays, small batches, so their claims interleave.
        var small = new Dictionary<string, string?> { ["Messaging:RelayBatchSize"] = "10" };
        await using var first = await MessagingTestService.Start(_database, _virtualHost, small);
        await using var second = await MessagingTestService.Start(_database, _virtualHost, small);
        var sentBefore = Sent(first) + Sent(second) + Sent(_service);

        const int count = 300;
        var ids = Enumerable.Range(0, count).Select(_ => NewId.NextGuid()).ToList();
        await using (var scope = first.Services.CreateAsyncScope())
        {
            var scheduler = scope.ServiceProvider.GetRequiredService<IMessageScheduler>();
            var due = DateTime.UtcNow.AddSeconds(1);
            foreach (var id in ids)
                await scheduler.SchedulePublish(due, new Reminder(id));
            await scope.ServiceProvider.GetRequiredService<IDocumentSession>().SaveChangesAsync();
        }

        await MessagingTestService.Eventually(async () => ids.All(id => first.Reminders.Any(r => r.Reminder.ReminderId == id)),
            $"all {count} reminders delivered", TimeSpan.FromSeconds(60));
        await Task.Delay(1500);
        var copies = first.Reminders.Where(r => ids.Contains(r.Reminder.ReminderId)).GroupBy(r => r.Reminder.ReminderId).ToList();
        Assert.Equal(count, copies.Count);
        Assert.All(copies, group => Assert.Single(group));
        Assert.Equal(count, Sent(first) + Sent(second) + Sent(_service) - sentBefore);
        Assert.Equal(0L, await first.Scalar<long>("select count(*) from work.outbox"));

        static long Sent(MessagingTestService service) => service.Services.GetRequiredService<OutboxRelay>().Counts.Sent;
    }

    [Fact]
    public async Task A_bad_row_does_not_block_the_rows_behind_it_and_is_listed_as_an_error()
    {
        // An unreadable row, first in line.
        var badId = NewId.NextGuid();
        await _service.Scalar<object?>(
            """
            insert into work.outbox (id, message_id, destination, message_type, content_type, body, sent_time, visible_at)
            values ($1, $2, 'queue:work', 'urn:message:Nothing', 'application/x-nonsense', 'not a message', now(), now() - interval '1 minute')
            """, badId, NewId.NextGuid());

        var ids = Enumerable.Range(0, 5).Select(_ => NewId.NextGuid()).ToList();
        await using (var scope = _service.Services.CreateAsyncScope())
        {
            var scheduler = scope.ServiceProvider.GetRequiredService<IMessageScheduler>();
            foreach (var id in ids)
                await scheduler.SchedulePublish(DateTime.UtcNow, new Reminder(id));
            await scope.ServiceProvider.GetRequiredService<IDocumentSession>().SaveChangesAsync();
        }

        await MessagingTestService.Eventually(async () => ids.All(id => _service.Reminders.Any(r => r.Reminder.ReminderId == id)),
            "the rows behind the bad one delivered");
        // Two attempts (the tests' MaxSendAttempts), then it is set aside and listed with its error.
        using var admin = _service.Client("admin");
        DeadLettersResponse? errors = null;
        await MessagingTestService.Eventually(async () =>
        {
            errors = await admin.GetFromJsonAsync<DeadLettersResponse>("/admin/errors");
            return errors!.DeadOutbox.Any(d => d.Id == badId);
        }, "the bad row listed as dead", TimeSpan.FromSeconds(30));
        var dead = errors!.DeadOutbox.Single(d => d.Id == badId);
        Assert.Equal(2, dead.Attempts);
        Assert.False(string.IsNullOrEmpty(dead.LastError));

        // An operator re-drives it: a fresh set of attempts (which this row will fail again).
        var redrive = await admin.PostAsJsonAsync("/admin/errors/redrive", new RedriveRequest([badId.ToString()]));
        redrive.EnsureSuccessStatusCode();
        Assert.Equal(1, (await redrive.Content.ReadFromJsonAsync<ErrorsRedriveResult>())!.OutboxRedriven);
        Assert.Equal(1L, await _service.Scalar<long>("select count(*) from work.outbox where id = $1 and dead_at is null and attempts <= 1", badId));
    }
}
