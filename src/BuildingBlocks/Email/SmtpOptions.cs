using MailKit.Security;
using Microsoft.Extensions.Configuration;

namespace Shop.BuildingBlocks.Email;

/// <summary>
/// Configuration section Smtp: the one SMTP server every service that sends email uses (the gateway's account email,
/// NotificationService's order email). With no Host at all, email goes to .eml files instead (<see cref="EmailPickup"/>).
/// </summary>
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

    /// <summary>The section as configured; a service refuses to start with a setting that cannot work.</summary>
    public static SmtpOptions From(IConfiguration configuration)
    {
        var options = configuration.GetSection(Section).Get<SmtpOptions>() ?? new SmtpOptions();
        var problems = options.Problems().ToList();
        if (problems.Count > 0)
            throw new InvalidOperationException($"Invalid {Section} configuration: {string.Join("; ", problems)}.");
        return options;
    }
}
