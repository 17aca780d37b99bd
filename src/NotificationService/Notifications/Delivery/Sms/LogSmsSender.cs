namespace Shop.NotificationService.Notifications.Delivery.Sms;

/// <summary>The SMS channel without a provider: the text goes to the service log. A real provider replaces this class.</summary>
public sealed class LogSmsSender(ILogger<LogSmsSender> logger) : INotificationSender
{
    public string Channel => NotificationChannels.Sms;

    public Task SendAsync(Notification notification, CancellationToken cancellationToken)
    {
        logger.LogInformation("SMS to {Recipient}: {Text}", notification.Recipient, notification.Body);
        return Task.CompletedTask;
    }
}
