using Shop.Contracts.Orders;
using Shop.NotificationService.Notifications.Delivery;
using Shop.NotificationService.Tests.Support;
using Shop.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Shop.NotificationService.Tests.Notifications.Delivery;

/// <summary>
/// SIGKILL in the middle of sending: an email the SMTP server accepted but the dead process never recorded is sent
/// again after its claim expires (same Message-ID). Only the sends in flight can be in that state, so one kill may
/// duplicate at most <see cref="DeliveryOptions.MaxParallelSends"/> emails — not a whole claimed batch.
/// </summary>
[Collection(KilledDispatcherCollection.Name)]
public sealed class KilledDispatcherTests(KilledDispatcherFixture fixture, ITestOutputHelper output)
{
    const int Orders = 400;

    [Fact]
    public async Task A_killed_instance_sends_again_at_most_the_emails_it_had_in_flight()
    {
        var orders = Enumerable.Range(0, Orders).Select(_ => Guid.NewGuid()).ToHashSet();
        await Task.WhenAll(orders.Select(id => fixture.PublishAsync(new OrderConfirmed(id, SampleOrders.Summary(Guid.NewGuid()), DateTimeOffset.UtcNow))));

        // Kill once sending is well under way, while most emails are still to go.
        var beforeKill = await Eventually.Get(() => OursAsync(orders), emails => emails.Count >= 40, "the first 40 emails",
            diagnostics: () => fixture.Logs());
        var instance = fixture.Services.Single();
        instance.Kill();
        var atKill = (await OursAsync(orders)).Count;
        Assert.True(atKill < Orders, $"all {Orders} emails were out before the kill landed; the test needs the kill mid-way");
        instance.Start();
        await instance.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));

        var all = await Eventually.Get(() => OursAsync(orders), emails => emails.Select(OrderOf).Distinct().Count() == Orders,
            $"an email for each of the {Orders} orders", diagnostics: () => fixture.Logs());
        await Task.Delay(TimeSpan.FromSeconds(6)); // longer than a claim: any copy still to come has come
        all = await OursAsync(orders);

        var copies = all.GroupBy(OrderOf).Where(g => g.Count() > 1).ToList();
        Assert.All(copies, g => Assert.Single(g.Select(e => e.Header("Message-ID")).Distinct()));
        var extra = copies.Sum(g => g.Count() - 1);
        output.WriteLine($"{Orders} orders; {beforeKill.Count} emails seen before the kill, {atKill} at it; {extra} sent twice (bound {new DeliveryOptions().MaxParallelSends})");
        Assert.True(extra <= new DeliveryOptions().MaxParallelSends,
            $"{extra} emails sent twice after one kill, more than the {new DeliveryOptions().MaxParallelSends} sends in flight");
    }

    async Task<List<ReceivedEmail>> OursAsync(HashSet<Guid> orders) =>
        (await fixture.MailDev.EmailsAsync()).Where(e => Guid.TryParse(e.Header("X-Shop-Order-Id"), out var id) && orders.Contains(id)).ToList();

    static string OrderOf(ReceivedEmail email) => email.Header("X-Shop-Order-Id")!;
}
