using Microsoft.Extensions.Configuration;
using Shop.BuildingBlocks.Email;
using Shop.NotificationService.Notifications;
using Shop.NotificationService.Notifications.Delivery.Email;
using Xunit;

namespace Shop.NotificationService.Tests.Notifications.Delivery.Email;

/// <summary>Misconfiguration stops the service at start-up with a message naming the setting, not at the first email.</summary>
public sealed class EmailSettingsTests
{
    [Fact]
    public void Smtp_settings_are_checked()
    {
        Assert.Empty(new SmtpOptions { Host = "smtp.example.com" }.Problems());
        Assert.Contains(new SmtpOptions { Host = "smtp.example.com", Port = 70000 }.Problems(), p => p.Contains("Smtp:Port"));
        Assert.Contains(new SmtpOptions { Host = "smtp.example.com", Username = "shop" }.Problems(), p => p.Contains("Smtp:Username"));
        Assert.False(new SmtpOptions().IsConfigured);
    }

    [Fact]
    public void Smtp_settings_that_cannot_work_stop_the_service_at_start_up_naming_the_setting()
    {
        var wrong = Settings(new() { ["Smtp:Host"] = "smtp.example.com", ["Smtp:Port"] = "0" });
        Assert.Contains("Smtp:Port", Assert.Throws<InvalidOperationException>(() => SmtpOptions.From(wrong)).Message);
        var right = SmtpOptions.From(Settings(new() { ["Smtp:Host"] = "smtp.example.com", ["Smtp:Port"] = "2525" }));
        Assert.Equal(("smtp.example.com", 2525), (right.Host, right.Port));
        Assert.False(SmtpOptions.From(Settings([])).IsConfigured);
    }

    [Fact]
    public void The_sender_address_must_be_an_address()
    {
        Assert.Empty(new EmailOptions().Problems());
        Assert.Contains(new EmailOptions { From = "Shop" }.Problems(), p => p.Contains("Notifications:Email:From"));
    }

    [Theory]
    [InlineData(null, new[] { "email" })]
    [InlineData("email, SMS", new[] { "email", "sms" })]
    [InlineData("sms", new[] { "sms" })]
    public void Channels_come_from_configuration(string? value, string[] expected) =>
        Assert.Equal(expected, NotificationChannels.From(Configuration(value)).Enabled);

    [Fact]
    public void An_unknown_channel_is_refused() =>
        Assert.Contains("pigeon", Assert.Throws<InvalidOperationException>(() => NotificationChannels.From(Configuration("email,pigeon"))).Message);

    static IConfiguration Configuration(string? channels) => Settings(new() { [NotificationChannels.ConfigurationKey] = channels });

    static IConfiguration Settings(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
