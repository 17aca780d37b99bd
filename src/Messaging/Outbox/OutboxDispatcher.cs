using System.Collections.Concurrent;
using MassTransit;
using MassTransit.Middleware;
using MassTransit.Serialization;
using Microsoft.Extensions.Logging;

namespace Shop.Messaging.Outbox;

/// <summary>
/// Hands committed outbox rows to RabbitMQ: all sends of a batch start together and their publisher confirms are awaited
/// together, each with <see cref="MessagingOptions.SendTimeout"/>. A confirmed row is handed to <see cref="SentOutboxCleaner"/>
/// for a batched delete. A row that fails stays in the table and becomes the relay's once its lease ends; the failure is
/// logged, never thrown (the unit of work it came from has committed and must not be retried for it).
/// </summary>
public sealed class OutboxDispatcher(IBus bus, SentOutboxCleaner cleaner, MessagingOptions options, MessagingCounters counters,
    ILogger<OutboxDispatcher> logger)
{
    readonly ConcurrentDictionary<Task, bool> _background = new();

    public async Task Dispatch(IReadOnlyList<OutboxEnvelope> envelopes, CancellationToken cancellationToken)
    {
        var sends = new Task<Exception?>[envelopes.Count];
        for (var i = 0; i < envelopes.Count; i++)
            sends[i] = TrySend(envelopes[i], cancellationToken);
        var failures = await Task.WhenAll(sends);
        for (var i = 0; i < envelopes.Count; i++)
        {
            if (failures[i] is null)
            {
                counters.CountDispatched();
                cleaner.Remove(envelopes[i].Id);
                continue;
            }
            counters.CountDispatchFailure();
            logger.LogWarning(failures[i], "Sending outbox message {MessageId} to {Destination} failed; the relay sends it after its lease",
                    envelopes[i].MessageId, envelopes[i].Destination);
        }
    }

    /// <summary>Dispatches without making the caller wait; <see cref="Drain"/> waits for these on shutdown.</summary>
    public void DispatchInBackground(IReadOnlyList<OutboxEnvelope> envelopes)
    {
        if (envelopes.Count == 0)
            return;
        var task = Dispatch(envelopes, CancellationToken.None);
        _background[task] = true;
        task.ContinueWith(t => _background.TryRemove(t, out _), TaskScheduler.Default);
    }

    public Task Drain() => Task.WhenAll(_background.Keys);

    /// <summary>Sends one row: null once the broker confirmed it, else why not.</summary>
    public async Task<Exception?> TrySend(OutboxEnvelope envelope, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.SendTimeout);
            var endpoint = await bus.GetSendEndpoint(envelope.Destination);
            await endpoint.Send(new SerializedMessageBody(), new OutboxMessageSendPipe(envelope, envelope.Destination), timeout.Token);
            return null;
        }
        catch (Exception exception)
        {
            return exception;
        }
    }
}
