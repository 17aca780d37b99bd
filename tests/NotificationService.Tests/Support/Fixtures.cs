using Shop.Testing;
using Xunit;

// The fixtures start service processes and SMTP servers; on a shared 2-core box they run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Shop.NotificationService.Tests.Support;

/// <summary>Two NotificationService instances sharing a database, a real SMTP server (maildev), email and SMS, fast retries.</summary>
public sealed class MailFixture : NotificationServiceFixture
{
    protected override string Purpose => "mail";
    protected override int Instances => 2;

    protected override void Configure(IDictionary<string, string> settings)
    {
        settings["Notifications__Channels"] = "email,sms";
        settings["Notifications__Delivery__MaxAttempts"] = "200";
        settings["Notifications__Delivery__FirstRetryDelay"] = "00:00:00.300";
        settings["Notifications__Delivery__MaxRetryDelay"] = "00:00:01.500";
    }
}

[CollectionDefinition(Name)]
public sealed class MailCollection : ICollectionFixture<MailFixture>
{
    public const string Name = "mail";
}

/// <summary>An SMTP host that refuses every connection (nothing listens on its port), three attempts per notification.</summary>
public sealed class UnreachableSmtpFixture : NotificationServiceFixture
{
    public const int MaxAttempts = 3;

    protected override string Purpose => "nosmtp";
    protected override bool UsesMailDev => false;

    protected override void Configure(IDictionary<string, string> settings)
    {
        settings["Smtp__Host"] = "127.0.0.1";
        settings["Smtp__Port"] = LoopbackPorts.Next().ToString();
        settings["Smtp__Security"] = "None";
        settings["Notifications__Channels"] = "email,sms";
        settings["Notifications__Delivery__MaxAttempts"] = MaxAttempts.ToString();
        settings["Notifications__Delivery__FirstRetryDelay"] = "00:00:00.300";
        settings["Notifications__Delivery__MaxRetryDelay"] = "00:00:01";
    }
}

[CollectionDefinition(Name)]
public sealed class UnreachableSmtpCollection : ICollectionFixture<UnreachableSmtpFixture>
{
    public const string Name = "unreachable-smtp";
}

/// <summary>No SMTP configured at all: email is written as .eml files.</summary>
public sealed class PickupDirectoryFixture : NotificationServiceFixture
{
    protected override string Purpose => "pickup";
    protected override bool UsesMailDev => false;

    public string PickupDirectory => Path.Combine(LogDirectory, "mail");

    protected override void Configure(IDictionary<string, string> settings)
    {
        settings["Notifications__Email__PickupDirectory"] = PickupDirectory;
        // Far longer than the tests wait: mail goes out only because the consumer's commit wakes the dispatcher.
        settings["Notifications__Delivery__PollInterval"] = "00:05:00";
    }
}

[CollectionDefinition(Name)]
public sealed class PickupDirectoryCollection : ICollectionFixture<PickupDirectoryFixture>
{
    public const string Name = "pickup-directory";
}

/// <summary>One instance, email only, a short claim: a killed dispatcher's claims are taken over within seconds.</summary>
public sealed class KilledDispatcherFixture : NotificationServiceFixture
{
    protected override string Purpose => "kill";

    protected override void Configure(IDictionary<string, string> settings)
    {
        settings["Notifications__Channels"] = "email";
        settings["Notifications__Delivery__ClaimTimeout"] = "00:00:04";
    }
}

[CollectionDefinition(Name)]
public sealed class KilledDispatcherCollection : ICollectionFixture<KilledDispatcherFixture>
{
    public const string Name = "kill";
}
