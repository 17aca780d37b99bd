using Marten;
using Microsoft.Extensions.Options;
using Shop.BuildingBlocks.Persistence;

namespace Shop.Gateway.Identity.Lockout;

/// <summary>
/// Counts sign-in attempts in PostgreSQL. An attempt is counted before the password is checked, so parallel guesses
/// against one account cannot slip past the limit while earlier ones are still being verified; a successful login takes
/// its attempt back. Counters use optimistic concurrency: concurrent attempts (on any gateway instance) retry, none is lost.
/// </summary>
public sealed class AttemptLimiter(IDocumentStore store, TimeProvider clock, IOptions<LockoutSettings> options, ILogger<AttemptLimiter> logger)
{
    public LockoutSettings Settings => options.Value;

    /// <summary>Counts one attempt against every key, or none when a key is locked: then returns how long it stays locked.</summary>
    public async Task<TimeSpan?> TryCountAsync(IReadOnlyList<AttemptKey> keys, CancellationToken cancellationToken)
    {
        TimeSpan? lockedFor = null;
        var locked = new List<string>();
        await UpdateAsync(keys, (counters, now) =>
        {
            lockedFor = counters.Max(c => c.Counter.LockedUntil - now);
            locked = counters.Where(c => c.Counter.LockedUntil is not null).Select(c => c.Counter.Id).ToList();
            if (lockedFor is not null)
                return false;
            foreach (var (counter, policy) in counters)
            {
                counter.Attempts++;
                if (counter.Attempts >= policy.MaxAttempts)
                    counter.LockedUntil = now + policy.Lockout;
            }
            return true;
        }, cancellationToken);
        if (lockedFor is not null)
            logger.LogWarning("Sign-in attempt refused: {Keys} locked for {Seconds:F0} s", string.Join(", ", locked), lockedFor.Value.TotalSeconds);
        return lockedFor;
    }

    /// <summary>Takes a counted attempt back after a success: <paramref name="reset"/> starts afresh, <paramref name="giveBack"/> gets one attempt back.</summary>
    public Task ForgiveAsync(AttemptKey reset, AttemptKey giveBack, CancellationToken cancellationToken) =>
        UpdateAsync([reset, giveBack], (counters, _) =>
        {
            foreach (var (counter, policy) in counters)
            {
                counter.Attempts = counter.Id == reset.Id ? 0 : Math.Max(0, counter.Attempts - 1);
                if (counter.Attempts < policy.MaxAttempts)
                    counter.LockedUntil = null;
            }
            return true;
        }, cancellationToken);

    /// <summary>Loads (or starts) the counters and lets <paramref name="apply"/> change them; it returns false to write nothing.
    /// A concurrency conflict starts over with fresh counters.</summary>
    async Task UpdateAsync(IReadOnlyList<AttemptKey> keys, Func<List<(AttemptCounter Counter, AttemptPolicy Policy)>, DateTimeOffset, bool> apply,
        CancellationToken cancellationToken)
    {
        await OptimisticRetry.RunAsync(async _ =>
        {
            await using var session = store.LightweightSession();
            var now = clock.GetUtcNow();
            var stored = (await session.LoadManyAsync<AttemptCounter>(cancellationToken, keys.Select(k => k.Id))).ToDictionary(c => c.Id);
            var counters = keys.Select(key =>
            {
                var counter = stored.GetValueOrDefault(key.Id) ?? new AttemptCounter { Id = key.Id, WindowStartedAt = now };
                counter.Refresh(key.Policy, now);
                return (counter, key.Policy);
            }).ToList();
            if (!apply(counters, now))
                return;

            foreach (var (counter, _) in counters)
            {
                if (stored.ContainsKey(counter.Id))
                    session.Update(counter);
                else
                    session.Insert(counter);
            }
            await session.SaveChangesAsync(cancellationToken);
        }, cancellationToken, maxAttempts: 50);
    }
}
