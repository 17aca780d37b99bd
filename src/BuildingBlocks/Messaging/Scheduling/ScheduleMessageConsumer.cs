using Marten;
using MassTransit;
using MassTransit.Context;
using MassTransit.Scheduling;
using MassTransit.Serialization;
using Shop.BuildingBlocks.Messaging.Outbox;

namespace Shop.BuildingBlocks.Messaging.Scheduling;

/// <summary>
/// The durable message scheduler (RabbitMQ here has no delayed-exchange plugin). A scheduled message is stored as a bus
/// outbox row with an EnqueueTime; <see cref="OutboxDeliveryService"/> sends it when it is due. Rows live in
/// PostgreSQL, so schedules survive restarts of every process. The row id is the schedule token, so rescheduling
/// replaces and cancelling deletes it.
/// </summary>
public class ScheduleMessageConsumer(IDocumentSession session) : IConsumer<ScheduleMessage>, IConsumer<CancelScheduledMessage>
{
    public Task Consume(ConsumeContext<ScheduleMessage> context)
    {
        var schedule = context.Message;
        var body = context.SerializerContext.GetMessageSerializer(schedule.Payload, schedule.PayloadType)
            .GetMessageBody(new MessageSendContext<ScheduleMessage>(schedule));

        session.Store(new OutboxMessage
        {
            Id = schedule.CorrelationId,
            OutboxId = schedule.CorrelationId,
            SequenceNumber = schedule.ScheduledTime.Ticks,
            Created = DateTime.UtcNow,
            EnqueueTime = schedule.ScheduledTime.ToUniversalTime(),
            MessageId = context.MessageId ?? NewId.NextGuid(),
            ContentType = context.ReceiveContext.ContentType?.ToString() ?? SystemTextJsonMessageSerializer.JsonContentType.ToString(),
            MessageType = string.Join(";", schedule.PayloadType),
            Body = body.GetString(),
            CorrelationId = context.CorrelationId,
            ConversationId = context.ConversationId,
            InitiatorId = context.InitiatorId,
            RequestId = context.RequestId,
            SourceAddress = context.SourceAddress,
            DestinationAddress = schedule.Destination,
            ResponseAddress = context.ResponseAddress,
            FaultAddress = context.FaultAddress,
            SentTime = DateTime.UtcNow,
            // The token header lets a saga tell a current timeout from a stale one it has since rescheduled or cancelled.
            HeadersJson = SystemTextJsonMessageSerializer.Instance.SerializeDictionary(context.Headers.GetAll()
                .Where(h => h.Key != MessageHeaders.SchedulingTokenId)
                .Append(new KeyValuePair<string, object>(MessageHeaders.SchedulingTokenId, schedule.CorrelationId.ToString("D")))),
        });
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<CancelScheduledMessage> context)
    {
        session.Delete<OutboxMessage>(context.Message.TokenId);
        return Task.CompletedTask;
    }
}
