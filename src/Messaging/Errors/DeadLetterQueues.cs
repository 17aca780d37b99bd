using System.Text;
using RabbitMQ.Client;

namespace Shop.Messaging.Errors;

public record DeadLetter(
    string Queue, string? MessageId, string? MessageType, string? FaultInputAddress, string? FaultExceptionType, string? FaultMessage,
    string? FaultTimestamp, string? Reason, int Redeliveries, string BodyPreview);

public record DeadLetterQueueSummary(string Queue, uint Messages);

public record RedriveResult(int Redriven, int Kept, IReadOnlyList<string> Errors);

/// <summary>
/// A service's dead letters: messages MassTransit moved to `&lt;queue&gt;_error` (for each of the service's queues) once
/// retries and scheduled redeliveries were exhausted. Listing looks without taking (nothing is acknowledged, so
/// everything returns to the queue); re-driving republishes a message to the queue it failed on, waits for the broker's
/// confirm, and only then removes it from the error queue — a crash in between duplicates it, and the consumer's inbox
/// drops the duplicate.
/// </summary>
public sealed class DeadLetterQueues(RabbitMqSettings settings, IReadOnlyList<string> serviceQueues)
{
    const int MaxListed = 200;

    public IReadOnlyList<string> ErrorQueues { get; } = [.. serviceQueues.Select(queue => $"{queue}_error")];

    public async Task<IReadOnlyList<DeadLetterQueueSummary>> Summaries(CancellationToken cancellationToken)
    {
        await using var connection = await Connect(cancellationToken);
        var summaries = new List<DeadLetterQueueSummary>();
        foreach (var queue in ErrorQueues.Concat(serviceQueues.Select(queue => $"{queue}_skipped")))
        {
            await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            try
            {
                var declared = await channel.QueueDeclarePassiveAsync(queue, cancellationToken);
                summaries.Add(new DeadLetterQueueSummary(queue, declared.MessageCount));
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
            {
                summaries.Add(new DeadLetterQueueSummary(queue, 0)); // never created: nothing ever failed there
            }
        }
        return summaries;
    }

    public async Task<IReadOnlyList<DeadLetter>> List(int limit, CancellationToken cancellationToken)
    {
        limit = Math.Clamp(limit, 1, MaxListed);
        await using var connection = await Connect(cancellationToken);
        var letters = new List<DeadLetter>();
        foreach (var queue in ErrorQueues)
        {
            // Closing the channel without acknowledging returns every message we looked at to the queue.
            await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            if (!await Exists(connection, queue, cancellationToken))
                continue;
            while (letters.Count < limit && await channel.BasicGetAsync(queue, autoAck: false, cancellationToken) is { } result)
                letters.Add(Describe(queue, result));
        }
        return letters;
    }

    /// <summary>Re-drives the listed message ids (all dead letters when none are given).</summary>
    public async Task<RedriveResult> Redrive(IReadOnlyCollection<string>? messageIds, CancellationToken cancellationToken)
    {
        await using var connection = await Connect(cancellationToken);
        var redriven = 0;
        var kept = 0;
        var errors = new List<string>();
        foreach (var queue in ErrorQueues)
        {
            if (!await Exists(connection, queue, cancellationToken))
                continue;
            await using var channel = await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
            var held = new List<ulong>();
            while (await channel.BasicGetAsync(queue, autoAck: false, cancellationToken) is { } result)
            {
                var letter = Describe(queue, result);
                var target = QueueOf(letter.FaultInputAddress);
                if ((messageIds is { Count: > 0 } && (letter.MessageId is null || !messageIds.Contains(letter.MessageId))) || target is null)
                {
                    if (target is null)
                        errors.Add($"{letter.MessageId}: no fault input address, left in {queue}");
                    held.Add(result.DeliveryTag);
                    kept++;
                    continue;
                }

                var properties = new BasicProperties(result.BasicProperties)
                {
                    Headers = result.BasicProperties.Headers?
                        .Where(h => !h.Key.StartsWith("MT-Fault-", StringComparison.Ordinal) && h.Key != "MT-Reason")
                        .ToDictionary(h => h.Key, h => h.Value),
                };
                // Awaited publish on a confirm-tracking channel returns once the broker confirmed it.
                await channel.BasicPublishAsync(exchange: "", routingKey: target, mandatory: true, basicProperties: properties,
                    body: result.Body, cancellationToken: cancellationToken);
                await channel.BasicAckAsync(result.DeliveryTag, multiple: false, cancellationToken);
                redriven++;
            }
            foreach (var tag in held)
                await channel.BasicNackAsync(tag, multiple: false, requeue: true, cancellationToken);
        }
        return new RedriveResult(redriven, kept, errors);
    }

    static DeadLetter Describe(string queue, BasicGetResult result)
    {
        var headers = result.BasicProperties.Headers ?? new Dictionary<string, object?>();
        string? Header(string key) => headers.TryGetValue(key, out var value) ? value switch
        {
            byte[] bytes => Encoding.UTF8.GetString(bytes),
            null => null,
            _ => value.ToString(),
        } : null;

        var body = Encoding.UTF8.GetString(result.Body.Span);
        return new DeadLetter(
            queue,
            result.BasicProperties.MessageId ?? Header("MessageId"),
            result.BasicProperties.Type ?? Header("MT-MessageType") ?? Header("Content-Type"),
            Header("MT-Fault-InputAddress"),
            Header("MT-Fault-ExceptionType"),
            Header("MT-Fault-Message"),
            Header("MT-Fault-Timestamp"),
            Header("MT-Reason"),
            int.TryParse(Header("MT-Redelivery-Count"), out var redeliveries) ? redeliveries : 0,
            body.Length > 2000 ? body[..2000] : body);
    }

    static string? QueueOf(string? inputAddress) =>
        Uri.TryCreate(inputAddress, UriKind.Absolute, out var uri) ? uri.Segments.LastOrDefault()?.Trim('/') : null;

    async Task<bool> Exists(IConnection connection, string queue, CancellationToken cancellationToken)
    {
        await using var probe = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            await probe.QueueDeclarePassiveAsync(queue, cancellationToken);
            return true;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            return false;
        }
    }

    Task<IConnection> Connect(CancellationToken cancellationToken) => settings.Connect($"{serviceQueues[0]}-dead-letters", cancellationToken);
}
