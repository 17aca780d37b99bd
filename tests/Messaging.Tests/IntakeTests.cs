using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Shop.Messaging.Intake;
using Shop.Testing;
using Xunit;

namespace Shop.Messaging.Tests;

/// <summary>
/// New work waits in the intake queue while the work in progress fills the service (NewWorkIntake), on real RabbitMQ and
/// PostgreSQL; and an installation whose main queue an earlier version bound to the new work loses that binding.
/// </summary>
public sealed class IntakeTests : IAsyncLifetime
{
    const string IntakeQueue = "work-new";

    // Two messages at once on the main endpoint: two held pieces of work fill it.
    static readonly IReadOnlyDictionary<string, string?> SmallService = new Dictionary<string, string?>
    {
        ["Messaging:ConcurrentMessageLimit"] = "2",
        ["Messaging:PrefetchCount"] = "4",
    };

    TestDatabase _database = null!;
    TestVirtualHost _virtualHost = null!;

    public async Task InitializeAsync()
    {
        _database = await TestEnvironment.CreateDatabaseAsync("intake");
        _virtualHost = await TestEnvironment.CreateVirtualHostAsync("intake");
    }

    public async Task DisposeAsync()
    {
        await _virtualHost.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task New_work_waits_while_the_work_in_progress_fills_the_service_and_starts_once_it_drains()
    {
        var intake = NewWorkIntake.For<StartWork>(IntakeQueue, (endpoint, context) => endpoint.ConfigureConsumer<StartWorkConsumer>(context));
        await using var service = await MessagingTestService.Start(_database, _virtualHost, SmallService, intake);
        await MessagingTestService.Eventually(async () => (await _virtualHost.ExchangesBoundToAsync(IntakeQueue)).Count == 1, "the intake queue bound");
        var held = new[] { NewId.NextGuid(), NewId.NextGuid() };
        foreach (var id in held)
            DoWorkConsumer.Held[id] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sendToService = await service.ObserverBus.GetSendEndpoint(new Uri($"queue:{MessagingTestService.Queue}"));
        foreach (var id in held)
            await sendToService.Send(new DoWork(id));
        await MessagingTestService.Eventually(() => Task.FromResult(!intake.Gate.IsOpen), "the gate closed by two pieces of work in progress");

        var newWork = NewId.NextGuid();
        await service.ObserverBus.Publish(new StartWork(newWork));
        // It arrived (the intake endpoint holds it, unacknowledged) but is not started while the service is full.
        await MessagingTestService.Eventually(async () => (await _virtualHost.QueuesAsync()).Any(q => q.Name == IntakeQueue && q.Unacknowledged == 1),
            "the new work delivered to the intake endpoint");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.False(StartWorkConsumer.Started.ContainsKey(newWork), "new work started while the work in progress filled the service");

        var releasedAt = DateTime.UtcNow;
        foreach (var id in held)
            DoWorkConsumer.Held[id].SetResult();
        await MessagingTestService.Eventually(async () => StartWorkConsumer.Started.ContainsKey(newWork), "the new work started");
        Assert.True(StartWorkConsumer.Started[newWork] >= releasedAt);
        await MessagingTestService.Eventually(() => Task.FromResult(intake.Gate.InProgress == 0), "the held work finished");
        // Recorded as the main endpoint's (once committed: Started is noted as the consumer begins), so a copy of it in
        // the main queue would be a duplicate.
        await MessagingTestService.Eventually(async () => await service.Scalar<long>("select count(*) from work.inbox where consumer = $1",
            $"{MessagingTestService.Queue}/{nameof(StartWorkConsumer)}") == 1, "the new work's inbox record under the main endpoint's name");
        Assert.Equal(0L, await service.Scalar<long>("select count(*) from work.inbox where consumer = $1", $"{IntakeQueue}/{nameof(StartWorkConsumer)}"));
    }

    [Fact]
    public async Task A_copy_of_new_work_in_each_queue_is_handled_once()
    {
        // During an upgrade the earlier binding and the new one both route a message for a moment. The consumer here
        // inserts a document keyed by the work: handled twice, the second copy could never commit and would end in the
        // error queue. The inbox drops it instead.
        var intake = NewWorkIntake.For<StartWork>(IntakeQueue, (endpoint, context) => endpoint.ConfigureConsumer<StartWorkConsumer>(context));
        await using var service = await MessagingTestService.Start(_database, _virtualHost, SmallService, intake);
        var counters = service.Services.GetRequiredService<MessagingCounters>();
        var duplicatesBefore = counters.DuplicatesDropped;
        var work = NewId.NextGuid();
        var messageId = NewId.NextGuid();

        foreach (var queue in new[] { IntakeQueue, MessagingTestService.Queue })
            await (await service.ObserverBus.GetSendEndpoint(new Uri($"queue:{queue}"))).Send(new StartWork(work), c => c.MessageId = messageId);

        await MessagingTestService.Eventually(async () => counters.DuplicatesDropped > duplicatesBefore, "the second copy dropped by the inbox");
        Assert.True(StartWorkConsumer.Started.ContainsKey(work));
        Assert.Equal(1, await service.Count<WorkEffect>());
        Assert.Equal(1L, await service.Scalar<long>("select count(*) from work.inbox where message_id = $1", messageId));
        foreach (var queue in new[] { IntakeQueue, MessagingTestService.Queue })
            Assert.Equal(0, await _virtualHost.MessagesInQueueAsync($"{queue}_error"));
    }

    [Fact]
    public async Task An_earlier_binding_of_new_work_to_the_main_queue_is_removed_and_what_reaches_the_main_queue_is_still_consumed()
    {
        // The version before: new work bound to the main queue and consumed there.
        var earlierWork = NewId.NextGuid();
        await using (var earlier = await MessagingTestService.Start(_database, _virtualHost, SmallService))
        {
            await MessagingTestService.Eventually(async () => (await _virtualHost.ExchangesBoundToAsync(MessagingTestService.Queue)).Any(e => e.EndsWith(":StartWork")),
                "the main queue bound to new work");
            await earlier.ObserverBus.Publish(new StartWork(earlierWork));
            await MessagingTestService.Eventually(async () => StartWorkConsumer.Started.ContainsKey(earlierWork), "new work consumed from the main queue");
        }
        var messageExchange = (await _virtualHost.ExchangesBoundToAsync(MessagingTestService.Queue)).Single(e => e.EndsWith(":StartWork"));

        var intake = NewWorkIntake.For<StartWork>(IntakeQueue, (endpoint, context) => endpoint.ConfigureConsumer<StartWorkConsumer>(context));
        await using var service = await MessagingTestService.Start(_database, _virtualHost, SmallService, intake);
        await MessagingTestService.Eventually(async () => !(await _virtualHost.ExchangesBoundToAsync(MessagingTestService.Queue)).Contains(messageExchange),
            "the earlier binding removed");
        Assert.Contains(messageExchange, await _virtualHost.ExchangesBoundToAsync(IntakeQueue));

        var next = NewId.NextGuid();
        await service.ObserverBus.Publish(new StartWork(next));
        // What an earlier version queued on (or still sends to) the main queue is consumed there.
        var leftover = NewId.NextGuid();
        await (await service.ObserverBus.GetSendEndpoint(new Uri($"queue:{MessagingTestService.Queue}"))).Send(new StartWork(leftover));
        await MessagingTestService.Eventually(async () => StartWorkConsumer.Started.ContainsKey(next) && StartWorkConsumer.Started.ContainsKey(leftover),
            "new work consumed from the intake queue and the leftover from the main queue");
        // All three recorded as the main endpoint's, the intake's one included (once committed).
        await MessagingTestService.Eventually(async () => await service.Scalar<long>("select count(*) from work.inbox where consumer = $1",
            $"{MessagingTestService.Queue}/{nameof(StartWorkConsumer)}") == 3, "three inbox records under the main endpoint's name");
        Assert.Equal(0L, await service.Scalar<long>("select count(*) from work.inbox where consumer = $1", $"{IntakeQueue}/{nameof(StartWorkConsumer)}"));
    }

    [Fact]
    public void The_gate_closes_at_the_limit_and_opens_only_at_half_of_it()
    {
        var gate = new NewWorkGate(4);
        for (var i = 0; i < 3; i++)
            gate.Started();
        Assert.True(gate.IsOpen);
        gate.Started();
        Assert.False(gate.IsOpen);
        var waiting = gate.WhenOpen(CancellationToken.None);
        gate.Finished();
        gate.Started(); // the next backlog message takes the freed place: still closed
        gate.Finished();
        Assert.False(waiting.IsCompleted);
        gate.Finished();
        Assert.True(gate.IsOpen);
        Assert.Equal(2, gate.InProgress);
    }
}
