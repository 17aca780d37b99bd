namespace Shop.Contracts.Notifications;

/// <summary>NotificationService delivered a message about an order (Kind names the order event, e.g. OrderConfirmed).</summary>
public record CustomerNotified(Guid OrderId, string Kind, string Channel, DateTimeOffset NotifiedAt);

/// <summary>Delivery gave up after its retries; the order itself is not affected.</summary>
public record CustomerNotificationFailed(Guid OrderId, string Kind, string Channel, string Error, DateTimeOffset FailedAt);
