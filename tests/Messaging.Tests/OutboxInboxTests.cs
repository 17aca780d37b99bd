using System.Net;
using System.Net.Http.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Shop.BuildingBlocks.Messaging;
using Shop.BuildingBlocks.Messaging.DeadLetters;
using Shop.Testing;
using Xunit;

namespace Shop.Messaging.Tests;

/// <summary>The delivery guarantees of the messaging core on real PostgreSQL and RabbitMQ, with redelivery on.</summary>
public sealed class OutboxInboxTests : IAsyncLifetime
{
    TestDatabase _database = null!;
    TestVirtualHost _virtualHost = null!;
    MessagingTestService _service = null!;

    public async Task InitializeAsync()
    {
        _database = await TestEnvironment.CreateDatabaseAsync("messaging");
        _virtualHost = await TestEnvironment.CreateVirtualHostAsync("messaging");
        _service = await MessagingTestService.Start(_database, _virtualHost);
    }

    public async Task DisposeAsync()
    {
        await _service.DisposeAsync();
        await _virtualHost.DisposeAsync();
        await _database.DisposeAsync();
    }

    MessagingCounters Counters => _service.Services.GetRequiredService<MessagingCounters>();

    [Fact]
    public async Task A_consumers_effect_and_its_messages_commit_together_and_a_duplicate_does_nothing()
    {
        var workId = NewId.NextGuid();
        var messageId = NewId.NextGuid();
        var duplicatesBefore = Counters.DuplicatesDropped;
        var queue = await _service.ObserverBus.GetSendEndpoint(ServiceQueues.Address(MessagingTestService.Queue));

        await queue.Send(new DoWork(workId), c => c.MessageId = messageId);
        await queue.Send(new DoWork(workId), c => c.MessageId = messageId);

        await MessagingTestService.Eventually(async () => _service.WorkDone.Any(w => w.WorkId == workId), "WorkDone published");
        await MessagingTestService.Eventually(async () => Counters.DuplicatesDropped > duplicatesBefore, "the second copy dropped by the inbox");
        await Task.Delay(500);
        Assert.Single(_service.WorkDone, w => w.WorkId == workId);
        Assert.Equal(1, await _service.Count<WorkEffect>());
        Assert.Equal(1L, await _service.Scalar<long>("select count(*) from work.inbox where message_id = $1", messageId));
        await MessagingTestService.Eventually(async () => await _service.Scalar<long>("select count(*) from work.outbox") == 0,
            "the sent message's outbox row deleted");
    }

    [Fact]
    public async Task An_always_failing_message_lands_in_the_error_queue_after_every_redelivery_and_can_be_redriven_once_fixed()
    {
        var workId = NewId.NextGuid();
        DoWorkConsumer.Broken[workId] = true;
        var queue = await _service.ObserverBus.GetSendEndpoint(ServiceQueues.Address(MessagingTestService.Queue));
        await queue.Send(new DoWork(workId));

        using var admin = _service.Client("admin");
        DeadLettersResponse? errors = null;
        await MessagingTestService.Eventually(async () =>
        {
            errors = await admin.GetFromJsonAsync<DeadLettersResponse>("/admin/errors");
            return errors!.Messages.Any(m => m.BodyPreview.Contains(workId.ToString()));
        }, "the broken message in the error queue", TimeSpan.FromSeconds(60));
        var letter = errors!.Messages.Single(m => m.BodyPreview.Contains(workId.ToString()));
        Assert.Equal($"{MessagingTestService.Queue}_error", letter.Queue);
        Assert.Contains("is broken", letter.FaultMessage);
        // Three redeliveries, each after the first attempt and two in-place retries: 4 deliveries x 3 attempts.
        Assert.Equal(3, letter.Redeliveries);
        Assert.Equal(12, DoWorkConsumer.Attempts[workId]);
        Assert.Equal(0, await _service.Count<WorkEffect>());
        Assert.DoesNotContain(_service.WorkDone, w => w.WorkId == workId);
        // No redelivery is left waiting in the outbox.
        Assert.Equal(0L, await _service.Scalar<long>("select count(*) from work.outbox"));

        // Looking did not take it away.
        Assert.Contains((await admin.GetFromJsonAsync<DeadLettersResponse>("/admin/errors"))!.Messages, m => m.MessageId == letter.MessageId);

        DoWorkConsumer.Broken.TryRemove(workId, out _);
        var redrive = await admin.PostAsJsonAsync("/admin/errors/redrive", new RedriveRequest([letter.MessageId!]));
        redrive.EnsureSuccessStatusCode();
        Assert.Equal(1, (await redrive.Content.ReadFromJsonAsync<ErrorsRedriveResult>())!.Redriven);

        await MessagingTestService.Eventually(async () => await _service.Count<WorkEffect>() == 1, "the re-driven work done");
        await MessagingTestService.Eventually(async () => _service.WorkDone.Any(w => w.WorkId == workId), "WorkDone published after re-drive");
        Assert.DoesNotContain((await admin.GetFromJsonAsync<DeadLettersResponse>("/admin/errors"))!.Messages, m => m.MessageId == letter.MessageId);
    }

    [Fact]
    public async Task Dead_letters_are_for_admins_only()
    {
        using var customer = _service.Client("customer");
        Assert.Equal(HttpStatusCode.Forbidden, (await customer.GetAsync("/admin/errors")).StatusCode);
        using var anonymous = _service.Client();
        anonymous.DefaultRequestHeaders.Authorization = null;
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/admin/errors/redrive", null)).StatusCode);
    }

    [Fact]
    public async Task An_http_handlers_message_is_published_only_if_its_transaction_commits()
    {
        using var client = _service.Client("customer");
        var thingId = NewId.NextGuid();

        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync($"/things/{thingId}", null)).StatusCode);
        // The same id again: the insert conflicts, nothing commits — so no second ThingCreated either.
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync($"/things/{thingId}", null)).StatusCode);

        await MessagingTestService.Eventually(async () => _service.ThingsCreated.Any(t => t.ThingId == thingId), "ThingCreated published");
        await Task.Delay(1500);
        Assert.Single(_service.ThingsCreated, t => t.ThingId == thingId);
        Assert.Equal(0L, await _service.Scalar<long>("select count(*) from work.outbox"));
    }
}
