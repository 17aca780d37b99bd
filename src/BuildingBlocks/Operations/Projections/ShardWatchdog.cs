using JasperFx;
using JasperFx.Events.Daemon;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Shop.BuildingBlocks.Operations.Projections;

/// <summary>
/// Restarts async-daemon shards (projections, subscriptions) that stopped on a failure. The daemon pauses or stops a shard
/// whose batch failed and leaves restarting it to a supervisor; without one, a shard stays stopped until the process
/// restarts. Seen in the crash test: right after PostgreSQL crashed, the batch that was in flight had committed but its
/// agent never heard so, the next batch found the progression ahead of it (ProgressionProgressOutOfOrder) and the order
/// view and status relay froze. Starting the agent again reads the stored progression and carries on from there.
/// Only shards this instance's daemon runs are touched (HotCold: the leader's), and never one that is being rebuilt or
/// was stopped on purpose (no failure recorded).
/// <para>
/// It also notices a restart of PostgreSQL (pg_postmaster_start_time changed), which takes the HotCold leader's advisory
/// lock with it, and then lets go of the locks this instance believed it held so that leadership is contested afresh.
/// Marten's own lock monitor did that with a minute-long pg_sleep that held back the database's vacuum horizon, so it is
/// off (MartenSetup); one cheap query every <see cref="Interval"/> does the same job.
/// </para>
/// </summary>
public sealed class ShardWatchdog(IServiceProvider services, ILogger<ShardWatchdog> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await ContestLeadershipAfterDatabaseRestartAsync(stoppingToken);
                await RestartFailedShardsAsync(stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(exception, "Checking the async daemon's shards failed; checking again in {Interval}", Interval);
            }
        }
    }

    DateTime? _databaseStartedAt;

    /// <summary>True when PostgreSQL was seen to restart since the last check (and the locks were let go).</summary>
    public async Task<bool> ContestLeadershipAfterDatabaseRestartAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<IProjectionCoordinator>() is not ProjectionCoordinatorBase { Distributor: { } distributor })
            return false;
        await using var command = services.GetRequiredService<NpgsqlDataSource>().CreateCommand("select pg_postmaster_start_time()");
        var startedAt = (DateTime)(await command.ExecuteScalarAsync(cancellationToken))!;
        var restarted = _databaseStartedAt is { } known && known != startedAt;
        _databaseStartedAt = startedAt;
        if (!restarted)
            return false;
        logger.LogWarning("PostgreSQL restarted (up since {StartedAt:O}): the async daemon's leadership locks went with it, contesting them again", startedAt);
        await distributor.ReleaseAllLocks();
        return true;
    }

    public async Task<int> RestartFailedShardsAsync(CancellationToken cancellationToken)
    {
        var daemon = services.GetService<IProjectionCoordinator>()?.DaemonForMainDatabase();
        if (daemon is null)
            return 0;
        var restarted = 0;
        foreach (var agent in daemon.CurrentAgents().ToList())
        {
            if (agent.Status == AgentStatus.Running || agent.Failure is not { } failure || daemon.IsRebuilding(agent.Name))
                continue;
            logger.LogWarning("Restarting shard {Shard}, {Status} after {Category} failure at {At}: {Message}",
                agent.Name.Identity, agent.Status, failure.Category, failure.OccurredAt, failure.Message);
            await daemon.StartAgentAsync(agent.Name, cancellationToken);
            restarted++;
        }
        return restarted;
    }
}
