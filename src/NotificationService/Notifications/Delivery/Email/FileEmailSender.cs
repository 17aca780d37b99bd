using Shop.BuildingBlocks.Email;
using Microsoft.Extensions.Options;

namespace Shop.NotificationService.Notifications.Delivery.Email;

/// <summary>With no SMTP server configured: each notification's email as an .eml file in the pickup directory, named after it.</summary>
public sealed class FileEmailSender(string directory, IOptions<EmailOptions> email) : INotificationSender
{
    public string Channel => NotificationChannels.Email;

    public string Directory { get; } = directory;

    public async Task SendAsync(Notification notification, CancellationToken cancellationToken)
    {
        var message = EmailMessageFactory.Create(notification, email.Value);
        await EmailPickup.WriteAsync(message, Directory, notification.Id.Replace(':', '-'), cancellationToken);
    }
}
