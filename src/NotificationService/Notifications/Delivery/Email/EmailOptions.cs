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
