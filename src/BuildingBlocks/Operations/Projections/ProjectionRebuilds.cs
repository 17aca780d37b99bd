using System.Collections.Concurrent;
using JasperFx;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Shop.BuildingBlocks.Operations.Projections;

public enum RebuildState { Running, Succeeded, Failed }

public record RebuildStatus(
    string Projection, RebuildState State, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, long Target, long Position, string? Error)
{
    /// <summary>0..100, for progress bars.</summary>
    public double Percent => State == RebuildState.Succeeded ? 100 : Target <= 0 ? 0 : Math.Min(100, Math.Round(100.0 * Position / Target, 1));
}

/// <summary>
/// Rebuilds of async projections, run in the background by Marten's async daemon while the service keeps serving:
/// the daemon stops the projection's shard, deletes its documents and progress, replays the events up to the high
/// water mark it saw at the start, and the shard then continues with everything appended meanwhile. Progress is the
/// shard's position in mt_event_progression, polled by clients.
/// </summary>
public sealed class ProjectionRebuilds(EventProgress progress, IHostApplicationLifetime lifetime, ILogger<ProjectionRebuilds> logger)
{
    static readonly TimeSpan ShardTimeout = TimeSpan.FromMinutes(30);
    readonly ConcurrentDictionary<string, Run> _runs = new(StringComparer.OrdinalIgnoreCase);

    sealed class Run(string projection, long target)
    {
        public string Projection { get; } = projection;
        public long Target { get; } = target;
        public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;
        public volatile bool Finished;
        public DateTimeOffset? FinishedAt { get; set; }
        public string? Error { get; set; }
    }

    public abstract record StartResult
    {
        public sealed record Started(RebuildStatus Status) : StartResult;
        public sealed record AlreadyRunning(RebuildStatus Status) : StartResult;
        public sealed record NotHere(string Detail) : StartResult;
    }

    public async Task<StartResult> Start(IProjectionSource<IDocumentOperations, IQuerySession> projection, CancellationToken cancellationToken)
    {
        var daemon = progress.Daemon;
        var shards = projection.Shards().Select(s => s.Name).ToList();
        if (daemon is null || !daemon.CurrentAgents().Any(a => shards.Any(s => s.Identity == a.Name.Identity)))
            return new StartResult.NotHere(
                "This instance does not run the projection right now: its async daemon is still starting (try again in a few seconds), " +
                "or another instance of the service holds the daemon's leadership (send the request to that instance).");

        var positions = await progress.Read(cancellationToken);
        var run = new Run(projection.Name, positions.HighWaterMark);
        var current = _runs.AddOrUpdate(projection.Name, run, (_, existing) => existing.Finished ? run : existing);
        if (current != run)
            return new StartResult.AlreadyRunning(await Status(current, cancellationToken));

        _ = Task.Run(async () =>
        {
            try
            {
                logger.LogWarning("Rebuilding projection {Projection} up to sequence {Target}", run.Projection, run.Target);
                await daemon.RebuildProjectionAsync(run.Projection, ShardTimeout, lifetime.ApplicationStopping);
                // Back to continuous processing of everything appended during the rebuild.
                foreach (var shard in shards)
                {
                    if (!daemon.CurrentAgents().Any(a => a.Name.Identity == shard.Identity && a.Status == AgentStatus.Running))
                        await daemon.StartAgentAsync(shard, lifetime.ApplicationStopping);
                }
                logger.LogWarning("Rebuilt projection {Projection}", run.Projection);
            }
            catch (Exception exception)
            {
                run.Error = exception.Message;
                logger.LogError(exception, "Rebuilding projection {Projection} failed", run.Projection);
            }
            finally
            {
                run.FinishedAt = DateTimeOffset.UtcNow;
                run.Finished = true;
            }
        }, CancellationToken.None);

        return new StartResult.Started(await Status(run, cancellationToken));
    }

    public async Task<RebuildStatus?> Status(string projection, CancellationToken cancellationToken) =>
        _runs.TryGetValue(projection, out var run) ? await Status(run, cancellationToken) : null;

    async Task<RebuildStatus> Status(Run run, CancellationToken cancellationToken)
    {
        var finished = run.Finished;
        var positions = await progress.Read(cancellationToken);
        var position = positions.ByShard.Where(p => p.Key.StartsWith(run.Projection + ":", StringComparison.OrdinalIgnoreCase))
            .Select(p => p.Value).DefaultIfEmpty(0).Min();
        var state = !finished ? RebuildState.Running : run.Error is null ? RebuildState.Succeeded : RebuildState.Failed;
        return new RebuildStatus(run.Projection, state, run.StartedAt, run.FinishedAt, run.Target, position, run.Error);
    }
}
