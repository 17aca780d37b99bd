using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Shop.Testing;
using Xunit;

namespace Shop.Messaging.Tests;

public sealed class RetentionTests : IAsyncLifetime
{
    TestDatabase _database = null!;
    TestVirtualHost _virtualHost = null!;
    MessagingTestService _service = null!;

    public async Task InitializeAsync()
    {
        _database = await TestEnvironment.CreateDatabaseAsync("retention");
        _virtualHost = await TestEnvironment.CreateVirtualHostAsync("retention");
        _service = await MessagingTestService.Start(_database, _virtualHost);
    }

    public async Task DisposeAsync()
    {
        await _service.DisposeAsync();
        await _virtualHost.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Retention_removes_inbox_records_older_than_the_setting_and_keeps_the_rest()
    {
        var old = Enumerable.Range(0, 3).Select(_ => NewId.NextGuid()).ToArray();
        var recent = Enumerable.Range(0, 2).Select(_ => NewId.NextGuid()).ToArray();
        foreach (var id in old)
            await _service.Scalar<object?>("insert into work.inbox (consumer, message_id, consumed_at) values ('work/Test', $1, now() - interval '8 days')", id);
        foreach (var id in recent)
            await _service.Scalar<object?>("insert into work.inbox (consumer, message_id, consumed_at) values ('work/Test', $1, now() - interval '6 days')", id);

        var retention = _service.Services.GetServices<IHostedService>().OfType<MessagingRetention>().Single();
        var (inbox, _) = await retention.RunOnceAsync(CancellationToken.None);

        // The service's own timer may have removed some of them first: the count only has to be consistent with that.
        Assert.InRange(inbox, 0, old.Length);
        Assert.Equal(0L, await _service.Scalar<long>("select count(*) from work.inbox where message_id = any($1)", old));
        Assert.Equal(2L, await _service.Scalar<long>("select count(*) from work.inbox where message_id = any($1)", recent));
    }
}
