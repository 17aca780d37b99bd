using Shop.NotificationService.Notifications.Delivery;
using Xunit;

namespace Shop.NotificationService.Tests.Notifications.Delivery;

public sealed class RetryDelayTests
{
    readonly DeliveryOptions _options = new() { FirstRetryDelay = TimeSpan.FromSeconds(30), MaxRetryDelay = TimeSpan.FromMinutes(30) };

    [Theory]
    [InlineData(1, 30)]
    [InlineData(2, 60)]
    [InlineData(3, 120)]
    [InlineData(6, 960)]
    [InlineData(7, 1800)]
    [InlineData(40, 1800)]
    public void The_delay_doubles_per_failed_attempt_up_to_the_maximum(int attempts, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), _options.RetryDelay(attempts, jitter: 0.5));

    [Fact]
    public void Jitter_spreads_the_delay_by_twenty_percent_without_passing_the_maximum()
    {
        Assert.Equal(TimeSpan.FromSeconds(48), _options.RetryDelay(2, jitter: 0));
        Assert.Equal(TimeSpan.FromSeconds(72), _options.RetryDelay(2, jitter: 1));
        Assert.Equal(_options.MaxRetryDelay, _options.RetryDelay(7, jitter: 1));
    }

    [Fact]
    public void Invalid_settings_are_named()
    {
        var problems = new DeliveryOptions { MaxAttempts = 0, FirstRetryDelay = TimeSpan.FromHours(2) }.Problems().ToList();
        Assert.Contains(problems, p => p.Contains("MaxAttempts"));
        Assert.Contains(problems, p => p.Contains("FirstRetryDelay"));
        Assert.Empty(new DeliveryOptions().Problems());
    }
}
