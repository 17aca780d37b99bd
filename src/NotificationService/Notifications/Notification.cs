namespace Shop.NotificationService.Notifications;

/// <summary>Pending → Sending → Sent, or back to Pending (retry with backoff), or Failed once the attempts are used up.</summary>
public enum NotificationStatus { Pending, Sending, Sent, Failed }

/// <summary>
/// The delivery log: one record per (order, kind, channel), its natural key as id. The order event's consumer inserts it
/// as Pending in the same transaction as the event's inbox row; <see cref="Delivery.NotificationDispatcher"/> sends it.
/// A redelivered or replayed event finds the record and adds nothing, so it never causes a second message.
/// Written with optimistic concurrency: two dispatchers cannot both claim the same attempt.
/// </summary>
public class Notification
{
    public string Id { get; set; } = "";
    public Guid OrderId { get; set; }
    public Guid CustomerId { get; set; }
    public string Kind { get; set; } = "";
    public string Channel { get; set; } = "";
    public string Recipient { get; set; } = "";
    public string RecipientName { get; set; } = "";
    public string Subject { get; set; } = "";
    /// <summary>Plain-text body (the whole message for SMS).</summary>
    public string Body { get; set; } = "";
    public string? HtmlBody { get; set; }

    public NotificationStatus Status { get; set; }
    public int Attempts { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LastAttemptAt { get; set; }
    /// <summary>
    /// When a dispatcher may pick the record up: the next retry while Pending; while Sending, the end of the current
    /// claim (a dispatcher that died mid-attempt leaves the record due again then). Null once Sent or Failed.
    /// </summary>
    public DateTimeOffset? NextAttemptAt { get; set; }
    /// <summary>Identifies the attempt in progress; only its owner may record the outcome.</summary>
    public Guid? ClaimToken { get; set; }
    public DateTimeOffset? SentAt { get; set; }
    public DateTimeOffset? FailedAt { get; set; }

    /// <summary>Who caused the order event (see ActingUser); the outcome messages carry it on.</summary>
    public string? ActingUserId { get; set; }
    public string? ActingUser { get; set; }

    public static string IdFor(Guid orderId, string kind, string channel) => $"{orderId:N}:{kind}:{channel}";
}
