using Marten;
using Microsoft.Extensions.Options;

namespace Shop.Gateway.Identity.Lockout;

/// <summary>
/// Deletes counters that no longer hold anything back: every email and address ever tried leaves one, and a password
/// sprayer would otherwise grow the table without end. Every gateway instance runs it; the deletes are idempotent.
/// </summary>
public sealed class AttemptCounterCleanup(IDocumentStore store, TimeProvider clock, IOptions<LockoutSettings> options, ILogger<AttemptCounterCleanup> logger)
    : BackgroundService
{
    static readonly TimeSpan Interval = TimeSpan.FromMinutes(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var now = clock.GetUtcNow();
                var windowStartedBefore = now - options.Value.FailureWindow;
                await using var session = store.LightweightSession();
                session.DeleteWhere<AttemptCounter>(c => c.WindowStartedAt < windowStartedBefore && (c.LockedUntil == null || c.LockedUntil < now));
                await session.SaveChangesAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogWarning(exception, "Deleting stale sign-in attempt counters failed; trying again in {Interval}", Interval);
            }
        }
    }
}
