using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;
using MimeKit;
using Shop.BuildingBlocks.Email;

namespace Shop.NotificationService.Notifications.Delivery.Email;

/// <summary>
/// A notification's email over the shared SMTP connections. An address MimeKit cannot parse, or a message the server
/// refuses outright, will never be delivered: those failures are permanent, every other one is retried later.
/// </summary>
public sealed class SmtpEmailSender(SmtpConnections smtp, IOptions<EmailOptions> email) : INotificationSender
{
    public string Channel => NotificationChannels.Email;

    public async Task SendAsync(Notification notification, CancellationToken cancellationToken)
    {
        MimeMessage message;
        try
        {
            message = EmailMessageFactory.Create(notification, email.Value);
        }
        catch (ParseException exception)
        {
            throw new PermanentDeliveryException($"Not a valid email address: {exception.Message}", exception);
        }

        try
        {
            await smtp.SendAsync(message, cancellationToken);
        }
        catch (SmtpCommandException exception) when (SmtpConnections.IsRefusal(exception))
        {
            throw new PermanentDeliveryException($"The SMTP server refused the message: {(int)exception.StatusCode} {exception.Message}", exception);
        }
    }
}
