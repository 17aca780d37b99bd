using MassTransit;
using MassTransit.Middleware;
using MassTransit.Serialization;
using MassTransit.Context;
using Npgsql;

namespace Shop.Messaging.Outbox;

/// <summary>
/// One outgoing message as the outbox stores it: the serialized body and everything MassTransit needs to send it again
/// exactly as it was produced (same message id, headers and transport properties). Implements MassTransit's
/// <see cref="OutboxMessageContext"/>, so its own <see cref="OutboxMessageSendPipe"/> replays it.
/// </summary>
public sealed class OutboxEnvelope : OutboxMessageContext
{
    static readonly IReadOnlyDictionary<string, object> NoProperties = new Dictionary<string, object>();

    Headers _headers = EmptyHeaders.Instance;
    IReadOnlyDictionary<string, object> _properties = NoProperties;

    public Guid Id { get; init; }
    public Guid MessageId { get; init; }
    public required Uri Destination { get; init; }
    public required string MessageType { get; init; }
    public required string ContentType { get; init; }
    public required string Body { get; init; }
    public string? HeadersJson { get; init; }
    public string? PropertiesJson { get; init; }
    public Guid? ConversationId { get; init; }
    public Guid? CorrelationId { get; init; }
    public Guid? InitiatorId { get; init; }
    public Guid? RequestId { get; init; }
    public Uri? SourceAddress { get; init; }
    public Uri? ResponseAddress { get; init; }
    public Uri? FaultAddress { get; init; }
    public DateTime? ExpirationTime { get; init; }
    public DateTime SentTime { get; init; }

    /// <summary>When the message is due; null for one to send right away.</summary>
    public DateTime? DueAt { get; init; }

    /// <summary>Times the relay tried to send it (0 on the normal path, which never involves the relay).</summary>
    public int Attempts { get; init; }

    public bool IsScheduled => DueAt is not null;

    long OutboxMessageContext.SequenceNumber => 0;
    string OutboxMessageContext.ContentType => ContentType;
    string OutboxMessageContext.MessageType => MessageType;
    string OutboxMessageContext.Body => Body;
    IReadOnlyDictionary<string, object> OutboxMessageContext.Properties => _properties;
    Guid OutboxMessageContext.MessageId => MessageId;
    Guid? MessageContext.MessageId => MessageId;
    Guid? MessageContext.RequestId => RequestId;
    Guid? MessageContext.CorrelationId => CorrelationId;
    Guid? MessageContext.ConversationId => ConversationId;
    Guid? MessageContext.InitiatorId => InitiatorId;
    DateTime? MessageContext.ExpirationTime => ExpirationTime;
    Uri? MessageContext.SourceAddress => SourceAddress;
    Uri? MessageContext.DestinationAddress => Destination;
    Uri? MessageContext.ResponseAddress => ResponseAddress;
    Uri? MessageContext.FaultAddress => FaultAddress;
    DateTime? MessageContext.SentTime => SentTime;
    Headers MessageContext.Headers => _headers;
    HostInfo MessageContext.Host => MassTransit.Metadata.HostMetadataCache.Host;

    /// <summary>Captures a message MassTransit built for sending (serialized, headers set) instead of sending it.</summary>
    public static OutboxEnvelope From<T>(SendContext<T> context) where T : class
    {
        if (context.MessageId is not { } messageId)
            throw new MessageException(typeof(T), "An outgoing message needs a MessageId");
        if (context.DestinationAddress is not { } destination)
            throw new MessageException(typeof(T), "An outgoing message needs a DestinationAddress");

        var now = DateTime.UtcNow;
        // A scheduled message (it has a token, or a delay) waits in the outbox until it is due; its row id is the token
        // so that unscheduling can delete it. The delay is the outbox's business only: sent later without it, it must not
        // ask the broker for a delayed exchange (RabbitMQ here has none).
        var scheduled = context.ScheduledMessageId is not null || context.Delay is { Ticks: > 0 };
        var dueAt = scheduled ? now + (context.Delay ?? TimeSpan.Zero) : (DateTime?)null;
        context.Delay = null;
        var headers = context.Headers.GetAll().ToList();
        string? propertiesJson = null;
        IReadOnlyDictionary<string, object> properties = NoProperties;
        if (context is TransportSendContext<T> transport)
        {
            var written = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
            transport.WritePropertiesTo(written);
            if (written.Count > 0)
            {
                properties = written;
                propertiesJson = Serializer.SerializeDictionary(written);
            }
        }

        // A redelivery gets an id derived from what it is, so writing it twice (the process died between scheduling it
        // and acknowledging the failed copy) leaves one row.
        var redelivery = context.Headers.Get<int>(MessageHeaders.RedeliveryCount);
        var id = redelivery is { } count ? NameBasedId.For($"redelivery:{destination}:{messageId:N}:{count}") : context.ScheduledMessageId ?? NewId.NextGuid();

        return new OutboxEnvelope
        {
            Id = id,
            MessageId = messageId,
            Destination = destination,
            MessageType = string.Join(";", context.SupportedMessageTypes),
            ContentType = context.ContentType?.ToString() ?? context.Serialization.DefaultContentType.ToString(),
            Body = context.Serializer.GetMessageBody(context).GetString(),
            HeadersJson = Serializer.SerializeDictionary(headers),
            PropertiesJson = propertiesJson,
            ConversationId = context.ConversationId,
            CorrelationId = context.CorrelationId,
            InitiatorId = context.InitiatorId,
            RequestId = context.RequestId,
            SourceAddress = context.SourceAddress,
            ResponseAddress = context.ResponseAddress,
            FaultAddress = context.FaultAddress,
            ExpirationTime = context.TimeToLive is { } ttl ? now + ttl : null,
            SentTime = context.SentTime ?? now,
            DueAt = dueAt,
            _headers = new DictionarySendHeaders(headers.ToDictionary(h => h.Key, h => (object?)h.Value)),
            _properties = properties,
        };
    }

    static IObjectDeserializer Serializer => SystemTextJsonMessageSerializer.Instance;

    /// <summary>The columns an insert writes, in <see cref="InsertValues"/> order.</summary>
    public const string InsertColumns =
        "id, message_id, destination, message_type, content_type, body, headers, properties, conversation_id, correlation_id, " +
        "initiator_id, request_id, source_address, response_address, fault_address, expiration_time, sent_time, scheduled_for, visible_at";

    /// <summary>
    /// Placeholders for <see cref="InsertColumns"/> but visible_at, each cast to its column's type: a null parameter
    /// otherwise reaches PostgreSQL as text.
    /// </summary>
    public const string InsertPlaceholders =
        "?::uuid, ?::uuid, ?, ?, ?, ?, ?::text, ?::text, ?::uuid, ?::uuid, ?::uuid, ?::uuid, ?::text, ?::text, ?::text, ?::timestamptz, " +
        "?::timestamptz, ?::timestamptz";

    /// <summary>Values for <see cref="InsertColumns"/>; visible_at is given separately (it depends on who sends the row).</summary>
    public object?[] InsertValues() =>
    [
        Id, MessageId, Destination.ToString(), MessageType, ContentType, Body, HeadersJson, PropertiesJson, ConversationId, CorrelationId,
        InitiatorId, RequestId, SourceAddress?.ToString(), ResponseAddress?.ToString(), FaultAddress?.ToString(), Utc(ExpirationTime), Utc(SentTime), Utc(DueAt),
    ];

    /// <summary>Instants as DateTimeOffset, which every layer maps to timestamptz (a DateTime may be taken for a local timestamp).</summary>
    public static DateTimeOffset? Utc(DateTime? instant) =>
        instant is { } value ? new DateTimeOffset(DateTime.SpecifyKind(value.ToUniversalTime(), DateTimeKind.Utc)) : null;

    /// <summary>The columns <see cref="Read"/> expects, in order.</summary>
    public const string SelectColumns =
        "id, message_id, destination, message_type, content_type, body, headers, properties, conversation_id, correlation_id, " +
        "initiator_id, request_id, source_address, response_address, fault_address, expiration_time, sent_time, attempts";

    /// <summary>Reads a row selected with <see cref="SelectColumns"/>; throws on a row that cannot be understood.</summary>
    public static OutboxEnvelope Read(NpgsqlDataReader reader)
    {
        string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
        Guid? Id(int i) => reader.IsDBNull(i) ? null : reader.GetGuid(i);
        Uri? Address(int i) => Text(i) is { } value ? new Uri(value) : null;

        var headersJson = Text(6);
        var propertiesJson = Text(7);
        var headers = Serializer.DeserializeDictionary<object?>(headersJson) ?? new Dictionary<string, object?>();
        return new OutboxEnvelope
        {
            Id = reader.GetGuid(0),
            MessageId = reader.GetGuid(1),
            Destination = new Uri(reader.GetString(2)),
            MessageType = reader.GetString(3),
            ContentType = reader.GetString(4),
            Body = reader.GetString(5),
            HeadersJson = headersJson,
            PropertiesJson = propertiesJson,
            ConversationId = Id(8),
            CorrelationId = Id(9),
            InitiatorId = Id(10),
            RequestId = Id(11),
            SourceAddress = Address(12),
            ResponseAddress = Address(13),
            FaultAddress = Address(14),
            ExpirationTime = reader.IsDBNull(15) ? null : reader.GetDateTime(15),
            SentTime = reader.GetDateTime(16),
            Attempts = reader.GetInt32(17),
            _headers = new DictionarySendHeaders(headers),
            _properties = Serializer.DeserializeDictionary<object>(propertiesJson) ?? NoProperties,
        };
    }
}
