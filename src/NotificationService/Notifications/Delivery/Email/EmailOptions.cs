using MailKit.Security;
using MimeKit;

namespace Shop.NotificationService.Notifications.Delivery.Email;

/// <summary>Configuration section Notifications:Email.</summary>
public sealed class EmailOptions
{
    public const string Section = "Notifications:Email";

    public string From { get; set; } = "Shop <no-reply@shop.local>";

    /// <summary>Where the file sender writes .eml files when no SMTP host is configured (default: sent-mail/ under the content root).</summary>
    public string? PickupDirectory { get; set; }

    public IEnumerable<string> Problems()
    {
        if (!MailboxAddress.TryParse(From, out var from) || string.IsNullOrEmpty(from.Domain))
            yield return $"Notifications:Email:From is not an email address ('{From}')";
    }
}

/// <summary>Configuration section Smtp. With no Host at all, email goes to .eml files instead.</summary>
public sealed class SmtpOptions
{
    public const string Section = "Smtp";

    public string? Host { get; set; }
    public int Port { get; set; } = 587;
    public string? Username { get; set; }
    public string? Password { get; set; }

    /// <summary>None, Auto, SslOnConnect, StartTls (the default: refuse a server without TLS) or StartTlsWhenAvailable.</summary>
    public SecureSocketOptions Security { get; set; } = SecureSocketOptions.StartTls;

    /// <summary>Per SMTP operation (connect, each command).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Host);

    public IEnumerable<string> Problems()
    {
        if (Port is < 1 or > 65535)
            yield return "Smtp:Port must be between 1 and 65535";
        if (string.IsNullOrEmpty(Username) != string.IsNullOrEmpty(Password))
            yield return "Smtp:Username and Smtp:Password go together";
        if (Timeout <= TimeSpan.Zero)
            yield return "Smtp:Timeout must be positive";
    }
}
