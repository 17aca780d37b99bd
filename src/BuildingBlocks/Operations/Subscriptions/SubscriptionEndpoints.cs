using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Shop.BuildingBlocks.Http;
using Shop.BuildingBlocks.Operations.Projections;
using Shop.Messaging;
using Shop.Messaging.Outbox;

namespace Shop.BuildingBlocks.Operations.Subscriptions;

/// <summary>
/// Something that delivers the service's changes onward: a Marten event subscription (ordered, checkpointed in
/// mt_event_progression: Position/Lag) or the bus outbox relay (no position: it delivers every committed row until
/// the broker confirms it; Pending rows are committed and not yet confirmed, scheduled ones not yet due are not counted).
/// </summary>
public record SubscriptionInfo(
    string Name, string Kind, long? Position, long? HighWaterMark, long? Lag, string? Status, long? Pending, DateTimeOffset? OldestPending);

public record RewindRequest(long? To);

public record RewindResult(string Name, long From, long To, long HighWaterMark);

public static class SubscriptionEndpoints
{
    public const string OutboxRelay = "outbox-relay";

    public static async Task<Ok<IReadOnlyList<SubscriptionInfo>>> List(EventProgress progress, NpgsqlDataSource database, MessagingTables tables,
        CancellationToken cancellationToken)
    {
        var positions = await progress.Read(cancellationToken);
        var list = progress.SubscriptionShards()
            .Select(shard =>
            {
                var position = positions.Of(shard);
                return new SubscriptionInfo(shard.Name, "event-subscription", position, positions.HighWaterMark,
                    Math.Max(0, positions.HighWaterMark - position), progress.AgentStatus(shard.Identity), null, null);
            })
            .ToList();

        var outbox = await OutboxBacklog.Read(database, tables, cancellationToken);
        list.Add(new SubscriptionInfo(OutboxRelay, "outbox-relay", null, null, null, "running", outbox.Unsent, outbox.OldestUnsent));
        return TypedResults.Ok<IReadOnlyList<SubscriptionInfo>>(list);
    }

    /// <summary>
    /// Moves a subscription back so that every event after sequence <see cref="RewindRequest.To"/> is delivered again.
    /// Relays publish those events with the same message ids as the first time, so receiving inboxes drop what they
    /// already processed.
    /// </summary>
    public static async Task<Results<Ok<RewindResult>, ProblemHttpResult, ValidationProblem>> Rewind(
        string name, RewindRequest request, EventProgress progress, CancellationToken cancellationToken)
    {
        if (string.Equals(name, OutboxRelay, StringComparison.OrdinalIgnoreCase))
            return Problems.Conflict("The outbox relay has no position to rewind: it delivers every committed message until the broker confirms it.");
        var shards = progress.SubscriptionShards().Where(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase)).ToList();
        if (shards.Count == 0)
            return Problems.NotFound($"The subscription '{name}'");
        if (request.To is not { } to)
            return Problems.Validation("to", "Give the sequence to rewind to (0 replays everything).");

        var positions = await progress.Read(cancellationToken);
        var from = shards.Select(positions.Of).Min();
        if (to < 0)
            return Problems.Validation("to", "Sequences are not negative.");
        if (to > from)
            return Problems.Unprocessable($"{shards[0].Name} is at sequence {from}; a rewind goes back, to {from} or less.");

        var daemon = progress.Daemon;
        if (daemon is null || !daemon.CurrentAgents().Any(a => shards.Any(s => s.Identity == a.Name.Identity)))
            return Problems.Conflict("This instance does not run the subscription right now: its async daemon is still starting (try again in a few seconds), " +
                "or another instance of the service holds the daemon's leadership (send the request to that instance).");

        await daemon.RewindSubscriptionAsync(shards[0].Name, cancellationToken, to);
        return TypedResults.Ok(new RewindResult(shards[0].Name, from, to, positions.HighWaterMark));
    }
}
