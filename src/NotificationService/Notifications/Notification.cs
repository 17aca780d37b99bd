namespace Shop.NotificationService.Notifications;

public enum NotificationStatus { Pending, Sent, Failed }

/// <summary>
/// The delivery log: one record per (order, kind). Its natural id makes delivery idempotent: a redelivered order event
/// finds the record and sends nothing twice.
/// </summary>
public class Notification
{
    public string Id { get; set; } = "";
    public Guid OrderId { get; set; }
    public Guid CustomerId { get; set; }
    public string Kind { get; set; } = "";
    public string Channel { get; set; } = "";
    public string Recipient { get; set; } = "";
    public string Subject { get; set; } = "";
    public string Body { get; set; } = "";
    public NotificationStatus Status { get; set; }
    public int Attempts { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }

    public static string IdFor(Guid orderId, string kind, string channel) => $"{orderId:N}:{kind}:{channel}";
}
