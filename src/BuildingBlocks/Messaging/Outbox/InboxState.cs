namespace Shop.BuildingBlocks.Messaging.Outbox;

/// <summary>
/// One row per (consumer, message id): written in the same transaction as the consumer's effect, so a redelivered
/// message is recognised and skipped. Optimistic concurrency makes two copies racing on two instances safe.
/// </summary>
public class InboxState
{
    public string Id { get; set; } = null!;
    public Guid MessageId { get; set; }
    public Guid ConsumerId { get; set; }
    public string? ConsumerType { get; set; }
    public DateTime Received { get; set; }
    public int ReceiveCount { get; set; }
    public DateTime? Consumed { get; set; }
    public DateTime? Delivered { get; set; }
    public long? LastSequenceNumber { get; set; }

    public static string IdFor(Guid consumerId, Guid messageId) => $"{consumerId:N}:{messageId:N}";
}
