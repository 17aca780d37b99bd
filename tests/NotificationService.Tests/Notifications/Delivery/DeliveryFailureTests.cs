using System.Net;
using System.Net.Http.Json;
using Shop.Contracts.Orders;
using Shop.NotificationService.Notifications.Listing;
using Shop.NotificationService.Tests.Support;
using Xunit;

namespace Shop.NotificationService.Tests.Notifications.Delivery;

/// <summary>An SMTP server that never answers: retries run out, the failure is recorded, reported and visible to admins.</summary>
[Collection(UnreachableSmtpCollection.Name)]
public sealed class DeliveryFailureTests(UnreachableSmtpFixture fixture)
{
    [Fact]
    public async Task Delivery_gives_up_after_its_attempts_reports_it_and_admins_can_retry()
    {
        var customerId = Guid.NewGuid();
        var orderId = Guid.NewGuid();
        await fixture.PublishAsync(new OrderConfirmed(orderId, SampleOrders.Summary(customerId), DateTimeOffset.UtcNow));

        var failed = await Eventually.Get(() => fixture.AdminListAsync($"?status=Failed&orderId={orderId}"),
            page => page.Items.Count == 1, "the email notification to be marked Failed", diagnostics: () => fixture.Logs());
        var notification = Assert.Single(failed.Items);
        Assert.Equal(("email", UnreachableSmtpFixture.MaxAttempts), (notification.Channel, notification.Attempts));
        Assert.NotNull(notification.FailedAt);
        Assert.Null(notification.NextAttemptAt);
        Assert.Contains("SocketException", notification.LastError);

        var report = await Eventually.Get(() => Task.FromResult(fixture.NotificationFailures.Where(f => f.OrderId == orderId).ToList()),
            list => list.Count >= 1, "CustomerNotificationFailed");
        Assert.Equal(("OrderConfirmed", "email"), (report[0].Kind, report[0].Channel));
        Assert.Contains("SocketException", report[0].Error);
        Assert.Equal(0, fixture.CustomerNotifiedCount(orderId, nameof(OrderConfirmed), "email"));

        // The SMS of the same event was delivered: channels fail independently.
        var all = await fixture.NotificationsOfOrderAsync(orderId);
        Assert.Equal("Sent", Assert.Single(all, n => n.Channel == "sms").Status);
        Assert.Contains(await fixture.MineAsync(customerId), n => n is { Channel: "email", Status: "Failed" });
        Assert.DoesNotContain(notification.Id, (await fixture.AdminListAsync("?status=Sent&pageSize=200")).Items.Select(n => n.Id));

        // An admin puts it back in the queue: a fresh set of attempts, which fail again here.
        using var admin = fixture.Client(fixture.AdminToken());
        using (var retry = await admin.PostAsync($"api/notifications/{notification.Id}/retry", null))
        {
            Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
            var queued = await retry.Content.ReadFromJsonAsync<AdminNotificationResponse>(NotificationServiceFixture.Json);
            Assert.Equal(("Pending", 0), (queued!.Status, queued.Attempts));
        }
        await Eventually.Get(() => Task.FromResult(fixture.NotificationFailures.Count(f => f.OrderId == orderId)), n => n == 2,
            "a second CustomerNotificationFailed after the retry", diagnostics: () => fixture.Logs());
        var again = Assert.Single((await fixture.AdminListAsync($"?status=Failed&orderId={orderId}")).Items);
        Assert.Equal(UnreachableSmtpFixture.MaxAttempts, again.Attempts);
    }

    [Fact]
    public async Task Admin_endpoints_refuse_customers_and_bad_input_with_problem_details()
    {
        var orderId = Guid.NewGuid();
        await fixture.PublishAsync(new OrderCancelled(orderId, SampleOrders.Summary(Guid.NewGuid()), "Changed my mind", DateTimeOffset.UtcNow));
        var sms = await Eventually.Get(() => fixture.NotificationsOfOrderAsync(orderId),
            list => list.Any(n => n is { Channel: "sms", Status: "Sent" }), "the SMS to be sent");
        var sentId = sms.Single(n => n.Channel == "sms").Id;

        using (var anonymous = fixture.Client(null))
        using (var response = await anonymous.GetAsync("api/notifications/all"))
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using (var customer = fixture.Client(fixture.Token(Guid.NewGuid())))
        {
            using (var response = await customer.GetAsync("api/notifications/all"))
                Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            using (var response = await customer.PostAsync($"api/notifications/{sentId}/retry", null))
                Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        using var admin = fixture.Client(fixture.AdminToken());
        foreach (var (query, field) in new[] { ("?status=Lost", "status"), ("?status=1", "status"), ("?page=0", "page"), ("?pageSize=201", "pageSize") })
        {
            using var response = await admin.GetAsync($"api/notifications/all{query}");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains($"\"{field}\"", await response.Content.ReadAsStringAsync());
        }
        using (var response = await admin.GetAsync("api/notifications/all?orderId=not-a-guid"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        using (var response = await admin.PostAsync($"api/notifications/{Guid.NewGuid():N}:OrderConfirmed:email/retry", null))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        using (var response = await admin.PostAsync($"api/notifications/{sentId}/retry", null))
        {
            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        // Refused requests changed nothing.
        var unchanged = Assert.Single(await fixture.NotificationsOfOrderAsync(orderId), n => n.Id == sentId);
        Assert.Equal(("Sent", 1), (unchanged.Status, unchanged.Attempts));

        var page = await fixture.AdminListAsync($"?status=sent&channel=SMS&orderId={orderId}");
        Assert.Equal(1, page.Total);
        Assert.Equal(sentId, Assert.Single(page.Items).Id);
    }
}
