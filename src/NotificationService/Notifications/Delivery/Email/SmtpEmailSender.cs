using MailKit;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Shop.NotificationService.Notifications.Delivery.Email;

/// <summary>Sends email over SMTP with MailKit: one connection per message, TLS and credentials from configuration.</summary>
public sealed class SmtpEmailSender(IOptions<SmtpOptions> smtp, IOptions<EmailOptions> email, ILogger<SmtpEmailSender> logger) : INotificationSender
{
    public string Channel => NotificationChannels.Email;

    public async Task SendAsync(Notification notification, CancellationToken cancellationToken)
    {
        var options = smtp.Value;
        MimeMessage message;
        try
        {
            message = EmailMessageFactory.Create(notification, email.Value);
        }
        catch (ParseException exception)
        {
            throw new PermanentDeliveryException($"Not a valid email address: {exception.Message}", exception);
        }

        using var client = new SmtpClient();
        client.Timeout = (int)options.Timeout.TotalMilliseconds;
        await client.ConnectAsync(options.Host!, options.Port, options.Security, cancellationToken);
        if (!string.IsNullOrEmpty(options.Username))
            await client.AuthenticateAsync(options.Username, options.Password ?? "", cancellationToken);
        try
        {
            await client.SendAsync(message, cancellationToken);
        }
        catch (SmtpCommandException exception) when ((int)exception.StatusCode >= 500
                                                     && exception.ErrorCode is SmtpErrorCode.RecipientNotAccepted or SmtpErrorCode.MessageNotAccepted)
        {
            throw new PermanentDeliveryException($"The SMTP server refused the message: {(int)exception.StatusCode} {exception.Message}", exception);
        }

        // Accepted: whatever QUIT does now must not turn the delivery into a failure (and a retry into a duplicate).
        try
        {
            await client.DisconnectAsync(true, CancellationToken.None);
        }
        catch (Exception exception) when (exception is IOException or ServiceNotConnectedException or ProtocolException or OperationCanceledException)
        {
            logger.LogDebug(exception, "Disconnecting from the SMTP server after a successful send failed");
        }
    }
}
