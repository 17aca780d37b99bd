using Microsoft.Extensions.Options;

namespace Shop.NotificationService.Notifications.Delivery.Email;

/// <summary>
/// With no SMTP server configured: writes each email as an .eml file (readable by any mail client) into the pickup
/// directory. One file per notification, written atomically, so a repeated attempt replaces rather than adds.
/// </summary>
public sealed class FileEmailSender(string directory, IOptions<EmailOptions> email) : INotificationSender
{
    public string Channel => NotificationChannels.Email;

    public string Directory { get; } = directory;

    public async Task SendAsync(Notification notification, CancellationToken cancellationToken)
    {
        var message = EmailMessageFactory.Create(notification, email.Value);
        System.IO.Directory.CreateDirectory(Directory);
        var path = Path.Combine(Directory, notification.Id.Replace(':', '-') + ".eml");
        var temporary = path + ".tmp";
        await message.WriteToAsync(temporary, cancellationToken);
        File.Move(temporary, path, overwrite: true);
    }
}
