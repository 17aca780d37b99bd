namespace Shop.NotificationService.Notifications;

/// <summary>
/// The channels a customer is told through, chosen per deployment by configuration (Notifications:Channels, comma
/// separated; default "email"). Customers have no phone number yet, so "sms" addresses the customer account and its
/// sender only logs the text: the seam for a real provider.
/// </summary>
public sealed class NotificationChannels
{
    public const string Email = "email";
    public const string Sms = "sms";
    public const string ConfigurationKey = "Notifications:Channels";

    static readonly string[] Known = [Email, Sms];

    public IReadOnlyList<string> Enabled { get; }

    public NotificationChannels(IReadOnlyList<string> enabled) => Enabled = enabled;

    public static NotificationChannels From(IConfiguration configuration)
    {
        var value = configuration[ConfigurationKey];
        var enabled = (string.IsNullOrWhiteSpace(value) ? Email : value)
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(c => c.ToLowerInvariant())
            .Distinct()
            .ToList();
        var unknown = enabled.Except(Known).ToList();
        if (unknown.Count > 0 || enabled.Count == 0)
            throw new InvalidOperationException(
                $"{ConfigurationKey} must list channels out of: {string.Join(", ", Known)} (got '{value}').");
        return new NotificationChannels(enabled);
    }
}
