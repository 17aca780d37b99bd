namespace Shop.NotificationService.Notifications.Delivery;

/// <summary>
/// Delivers one notification over one channel (the seam between the delivery log and a provider). Throws when delivery
/// failed; <see cref="PermanentDeliveryException"/> says that trying again cannot help.
/// </summary>
public interface INotificationSender
{
    string Channel { get; }

    Task SendAsync(Notification notification, CancellationToken cancellationToken);
}

/// <summary>The provider refused the message for good (e.g. SMTP 5xx for the recipient): no retry.</summary>
public sealed class PermanentDeliveryException(string message, Exception? inner = null) : Exception(message, inner);
