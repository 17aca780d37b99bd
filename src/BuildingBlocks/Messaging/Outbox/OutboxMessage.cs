using MassTransit;
using MassTransit.Middleware;
using MassTransit.Serialization;
using MassTransit.Context;
using System.Text.Json.Serialization;

namespace Shop.BuildingBlocks.Messaging.Outbox;

/// <summary>
/// A message waiting in PostgreSQL to be handed to RabbitMQ. Written in the same Marten transaction as the state change
/// that caused it. Rows with an inbox id belong to a consumer and are delivered by that consumer's pipeline; rows with an
/// outbox id (HTTP handlers, the scheduler) are delivered by <see cref="OutboxDeliveryService"/>, not before EnqueueTime.
/// </summary>
public class OutboxMessage : OutboxMessageContext
{
    static long _nextSequenceNumber = DateTime.UtcNow.Ticks;

    Headers? _headers;
    IReadOnlyDictionary<string, object>? _properties;

    public Guid Id { get; set; }
    public long SequenceNumber { get; set; }
    public DateTime? EnqueueTime { get; set; }
    public DateTime Created { get; set; }
    public string? HeadersJson { get; set; }
    public string? PropertiesJson { get; set; }
    public Guid? InboxMessageId { get; set; }
    public Guid? InboxConsumerId { get; set; }
    public Guid? OutboxId { get; set; }

    public Guid MessageId { get; set; }
    public string ContentType { get; set; } = null!;
    public string MessageType { get; set; } = null!;
    public string Body { get; set; } = null!;
    public Guid? ConversationId { get; set; }
    public Guid? CorrelationId { get; set; }
    public Guid? InitiatorId { get; set; }
    public Guid? RequestId { get; set; }
    public Uri? SourceAddress { get; set; }
    public Uri? DestinationAddress { get; set; }
    public Uri? ResponseAddress { get; set; }
    public Uri? FaultAddress { get; set; }
    public DateTime? ExpirationTime { get; set; }
    public DateTime SentTime { get; set; }

    Guid? MessageContext.MessageId => MessageId;
    DateTime? MessageContext.SentTime => SentTime;
    [JsonIgnore] Headers MessageContext.Headers => _headers ?? EmptyHeaders.Instance;
    HostInfo MessageContext.Host => MassTransit.Metadata.HostMetadataCache.Host;
    [JsonIgnore] IReadOnlyDictionary<string, object> OutboxMessageContext.Properties => _properties ?? EmptyProperties;

    static readonly IReadOnlyDictionary<string, object> EmptyProperties = new Dictionary<string, object>();

    /// <summary>Restores headers and transport properties after the document was read back.</summary>
    public OutboxMessage Deserialize(IObjectDeserializer deserializer)
    {
        var headers = deserializer.DeserializeDictionary<object?>(HeadersJson);
        _headers = headers is null ? EmptyHeaders.Instance : new DictionarySendHeaders(headers);
        _properties = deserializer.DeserializeDictionary<object>(PropertiesJson) ?? EmptyProperties;
        return this;
    }

    public static OutboxMessage From<T>(SendContext<T> context, IObjectDeserializer serializer, Guid? inboxMessageId = null,
        Guid? inboxConsumerId = null, Guid? outboxId = null)
        where T : class
    {
        if (context.MessageId is not { } messageId)
            throw new MessageException(typeof(T), "The SendContext MessageId must be present");

        var now = DateTime.UtcNow;
        var message = new OutboxMessage
        {
            Id = NewId.NextGuid(),
            SequenceNumber = Interlocked.Increment(ref _nextSequenceNumber),
            Created = now,
            MessageId = messageId,
            ConversationId = context.ConversationId,
            CorrelationId = context.CorrelationId,
            InitiatorId = context.InitiatorId,
            RequestId = context.RequestId,
            SourceAddress = context.SourceAddress,
            DestinationAddress = context.DestinationAddress,
            ResponseAddress = context.ResponseAddress,
            FaultAddress = context.FaultAddress,
            SentTime = context.SentTime ?? now,
            ContentType = context.ContentType?.ToString() ?? context.Serialization.DefaultContentType.ToString(),
            MessageType = string.Join(";", context.SupportedMessageTypes),
            Body = context.Serializer.GetMessageBody(context).GetString(),
            InboxMessageId = inboxMessageId,
            InboxConsumerId = inboxConsumerId,
            OutboxId = outboxId,
            HeadersJson = serializer.SerializeDictionary(context.Headers.GetAll()),
        };
        if (context.TimeToLive is { } ttl)
            message.ExpirationTime = now + ttl;
        if (context.Delay is { } delay)
            message.EnqueueTime = now + delay;
        if (context is TransportSendContext<T> transportContext)
        {
            var properties = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
            transportContext.WritePropertiesTo(properties);
            message.PropertiesJson = serializer.SerializeDictionary(properties);
        }

        return message;
    }
}
