using MassTransit;
using MassTransit.Scheduling;

namespace Shop.Messaging.Outbox;

/// <summary>
/// MassTransit's scheduling seam on the outbox: a scheduled message is an outbox row with a due time, written through
/// the given (outbox) send endpoints, its row id the scheduling token; unscheduling deletes that row. No broker round
/// trip, no scheduler queue, and both happen in the caller's transaction. The relay sends the row when it is due.
/// </summary>
public sealed class OutboxScheduleMessageProvider(ISendEndpointProvider outbox, Func<Guid, Task> cancel) : IScheduleMessageProvider
{
    public async Task<ScheduledMessage<T>> ScheduleSend<T>(Uri destinationAddress, DateTime scheduledTime, T message, IPipe<SendContext<T>> pipe,
        CancellationToken cancellationToken)
        where T : class
    {
        // Always a token, so the row can be found again (and a saga can tell a current timeout from a stale one).
        var schedule = new ScheduleSendPipe<T>(pipe, scheduledTime) { ScheduledMessageId = NewId.NextGuid() };
        var endpoint = await outbox.GetSendEndpoint(destinationAddress);
        await endpoint.Send(message, schedule, cancellationToken);
        return new ScheduledMessageHandle<T>(schedule.ScheduledMessageId!.Value, scheduledTime, destinationAddress, message);
    }

    public Task CancelScheduledSend(Guid tokenId, CancellationToken cancellationToken) => cancel(tokenId);

    public Task CancelScheduledSend(Uri destinationAddress, Guid tokenId, CancellationToken cancellationToken) => cancel(tokenId);
}
