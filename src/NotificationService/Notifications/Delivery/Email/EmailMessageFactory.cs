using MimeKit;

namespace Shop.NotificationService.Notifications.Delivery.Email;

/// <summary>Builds the MIME message of an email notification (multipart/alternative: plain text and HTML).</summary>
public static class EmailMessageFactory
{
    public const string OrderIdHeader = "X-Shop-Order-Id";
    public const string KindHeader = "X-Shop-Notification";

    public static MimeMessage Create(Notification notification, EmailOptions options)
    {
        var from = MailboxAddress.Parse(options.From);
        var message = new MimeMessage();
        message.From.Add(from);
        message.To.Add(new MailboxAddress(notification.RecipientName, notification.Recipient));
        message.Subject = notification.Subject;
        message.Date = DateTimeOffset.UtcNow;
        // The same Message-ID on every attempt of one notification: should a retry repeat a send whose success went
        // unrecorded, mail systems that collapse duplicate Message-IDs show it once.
        message.MessageId = $"{notification.Id.Replace(':', '.')}@{(string.IsNullOrEmpty(from.Domain) ? "shop.local" : from.Domain)}";
        message.Headers.Add(OrderIdHeader, notification.OrderId.ToString());
        message.Headers.Add(KindHeader, notification.Kind);
        message.Body = new BodyBuilder { TextBody = notification.Body, HtmlBody = notification.HtmlBody }.ToMessageBody();
        return message;
    }
}
