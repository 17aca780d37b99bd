using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace Shop.BuildingBlocks.Operations.Projections;

/// <summary>Where the async daemon's shards (async projections and subscriptions) stand against the event store.</summary>
public sealed class EventProgress(IDocumentStore store, IServiceProvider provider)
{
    const string HighWaterMarkName = "HighWaterMark";

    public IProjectionDaemon? Daemon => provider.GetService<IProjectionCoordinator>()?.DaemonForMainDatabase();

    /// <summary>Shard identity (e.g. "OrderDetails:All") to the last event sequence it processed.</summary>
    public async Task<Positions> Read(CancellationToken cancellationToken)
    {
        var progress = await store.Advanced.AllProjectionProgress(token: cancellationToken);
        var statistics = await store.Advanced.FetchEventStoreStatistics(token: cancellationToken);
        var positions = progress.Where(p => p.ShardName != HighWaterMarkName).ToDictionary(p => p.ShardName, p => p.Sequence);
        var highWater = progress.FirstOrDefault(p => p.ShardName == HighWaterMarkName)?.Sequence;
        var lastSequence = statistics.EventCount == 0 ? 0 : statistics.EventSequenceNumber;
        return new Positions(positions, highWater ?? lastSequence, lastSequence);
    }

    public string? AgentStatus(string shardIdentity)
    {
        var daemon = Daemon;
        if (daemon is null)
            return "no daemon";
        var agent = daemon.CurrentAgents().FirstOrDefault(a => a.Name.Identity == shardIdentity);
        return agent?.Status.ToString() ?? "not running here";
    }

    public IReadOnlyList<ShardName> AsyncProjectionShards() =>
        store.Configuration().Projections.All.Where(p => p.Lifecycle == ProjectionLifecycle.Async).SelectMany(p => p.Shards()).Select(s => s.Name).ToList();

    public IReadOnlyList<ShardName> SubscriptionShards()
    {
        var projections = AsyncProjectionShards().Select(s => s.Identity).ToHashSet();
        return store.Configuration().Projections.AllShards().Select(s => s.Name).Where(n => !projections.Contains(n.Identity)).ToList();
    }

    public sealed record Positions(IReadOnlyDictionary<string, long> ByShard, long HighWaterMark, long LastSequence)
    {
        public long Of(ShardName shard) => ByShard.GetValueOrDefault(shard.Identity);
    }
}
