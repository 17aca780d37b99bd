using Marten;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Shop.NotificationService.Notifications;
using Shop.NotificationService.Notifications.Delivery;
using Shop.Testing;
using Weasel.Core;
using Xunit;

namespace Shop.NotificationService.Tests.Notifications.Delivery;

/// <summary>Claims against real PostgreSQL: of several dispatchers racing for one attempt, exactly one gets it.</summary>
public sealed class ClaimTests : IAsyncLifetime
{
    TestDatabase _database = null!;
    DocumentStore _store = null!;

    public async Task InitializeAsync()
    {
        _database = await TestEnvironment.CreateDatabaseAsync("notify_claims");
        _store = DocumentStore.For(options =>
        {
            options.Connection(_database.ConnectionString);
            options.DatabaseSchemaName = NotificationsModule.Schema;
            options.UseSystemTextJsonForSerialization(EnumStorage.AsString);
            NotificationsModule.ConfigureDocuments(options);
        });
        await _store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
    }

    public async Task DisposeAsync()
    {
        _store.Dispose();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Of_concurrent_claims_on_one_notification_exactly_one_wins()
    {
        var dispatchers = Enumerable.Range(0, 6).Select(_ => Claims(TimeSpan.FromMinutes(5))).ToList();
        for (var round = 0; round < 15; round++)
        {
            var id = await InsertPendingAsync();
            var claims = await Task.WhenAll(dispatchers.Select(d => Task.Run(() => d.TryClaimAsync(id, CancellationToken.None))));

            var winner = Assert.Single(claims, c => c is not null)!;
            await using var session = _store.QuerySession();
            var stored = (await session.LoadAsync<Notification>(id))!;
            Assert.Equal((NotificationStatus.Sending, 1, winner.Token), (stored.Status, stored.Attempts, stored.ClaimToken!.Value));
            // Held: nobody else gets it while the claim runs.
            Assert.Null(await dispatchers[0].TryClaimAsync(id, CancellationToken.None));
        }
    }

    [Fact]
    public async Task A_claim_whose_dispatcher_vanished_is_taken_over_when_it_expires()
    {
        var claims = Claims(TimeSpan.FromSeconds(2));
        var id = await InsertPendingAsync();
        var first = await claims.TryClaimAsync(id, CancellationToken.None);
        Assert.NotNull(first);

        Assert.DoesNotContain(id, await claims.DueAsync(10, CancellationToken.None));
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        Assert.Contains(id, await claims.DueAsync(10, CancellationToken.None));
        var second = await claims.TryClaimAsync(id, CancellationToken.None);
        Assert.NotNull(second);
        Assert.NotEqual(first.Token, second.Token);
        Assert.Equal(2, second.Notification.Attempts);
    }

    NotificationClaims Claims(TimeSpan claimTimeout) =>
        new(_store, Options.Create(new DeliveryOptions { ClaimTimeout = claimTimeout }), NullLogger<NotificationClaims>.Instance);

    async Task<string> InsertPendingAsync()
    {
        var orderId = Guid.NewGuid();
        var now = DateTimeOffset.UtcNow;
        var notification = new Notification
        {
            Id = Notification.IdFor(orderId, "OrderConfirmed", NotificationChannels.Email),
            OrderId = orderId,
            CustomerId = Guid.NewGuid(),
            Kind = "OrderConfirmed",
            Channel = NotificationChannels.Email,
            Recipient = "someone@customers.test",
            Subject = "Order confirmed",
            Body = "Thank you",
            Status = NotificationStatus.Pending,
            CreatedAt = now,
            NextAttemptAt = now,
        };
        await using var session = _store.LightweightSession();
        session.Insert(notification);
        await session.SaveChangesAsync();
        return notification.Id;
    }
}
