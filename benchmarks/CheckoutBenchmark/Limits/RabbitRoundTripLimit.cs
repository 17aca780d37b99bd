using System.Collections.Concurrent;
using System.Diagnostics;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Shop.Benchmarks.Checkout.Limits;

/// <summary>
/// Publish -> consume round trips per second through the same broker, the way the shop's messages travel: persistent
/// messages into a durable queue, each publish awaiting its confirm, a consumer acknowledging each delivery. N publishers,
/// each sending its next message once its previous one was consumed. The queue is deleted afterwards.
/// </summary>
public static class RabbitRoundTripLimit
{
    public sealed record Result(double RoundTripsPerSecond, double P50Ms);

    public static async Task<Result> MeasureAsync(Uri amqp, int publishers, TimeSpan length, CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory { Uri = amqp, ClientProvidedName = "shop-bench-round-trips" };
        await using var connection = await factory.CreateConnectionAsync(cancellationToken);
        var queue = $"shop-bench-round-trips-{Guid.NewGuid():N}";
        await using var consuming = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        await consuming.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments: null, cancellationToken: cancellationToken);
        try
        {
            var waiting = new ConcurrentDictionary<string, TaskCompletionSource>();
            await consuming.BasicQosAsync(0, (ushort)Math.Max(16, publishers * 2), false, cancellationToken);
            var consumer = new AsyncEventingBasicConsumer(consuming);
            consumer.ReceivedAsync += async (_, delivery) =>
            {
                await consuming.BasicAckAsync(delivery.DeliveryTag, false, CancellationToken.None);
                if (delivery.BasicProperties.MessageId is { } id && waiting.TryRemove(id, out var consumed))
                    consumed.TrySetResult();
            };
            await consuming.BasicConsumeAsync(queue, autoAck: false, consumer, cancellationToken);

            var body = new byte[512];
            var start = Stopwatch.GetTimestamp();
            var warmupEnd = start + (long)(length.TotalSeconds * 0.1 * Stopwatch.Frequency);
            var end = start + (long)(length.TotalSeconds * Stopwatch.Frequency);
            var latencies = new ConcurrentBag<double>();

            async Task Publisher()
            {
                var options = new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true);
                await using var channel = await connection.CreateChannelAsync(options, cancellationToken);
                while (Stopwatch.GetTimestamp() < end)
                {
                    var id = Guid.NewGuid().ToString("N");
                    var consumed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    waiting[id] = consumed;
                    var sent = Stopwatch.GetTimestamp();
                    // With confirmation tracking, the publish returns once the broker confirmed (persisted) the message.
                    await channel.BasicPublishAsync("", queue, mandatory: true, new BasicProperties { MessageId = id, Persistent = true }, body, cancellationToken);
                    await consumed.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
                    if (sent >= warmupEnd)
                        latencies.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                }
            }

            await Task.WhenAll(Enumerable.Range(0, publishers).Select(_ => Task.Run(Publisher, cancellationToken)));
            var measured = (end - warmupEnd) / (double)Stopwatch.Frequency;
            return new Result(Math.Round(latencies.Count / measured, 1), Latency.Of(latencies).P50Ms ?? 0);
        }
        finally
        {
            await consuming.QueueDeleteAsync(queue, ifUnused: false, ifEmpty: false, cancellationToken: CancellationToken.None);
        }
    }
}
