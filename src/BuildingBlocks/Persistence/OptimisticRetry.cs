using JasperFx;
using JasperFx.Events;
using Marten.Exceptions;
using Npgsql;

namespace Shop.BuildingBlocks.Persistence;

/// <summary>
/// The one retry loop for optimistic-concurrency conflicts: an attempt reads, decides and saves in its own session; when
/// the save loses a race (a version moved, a unique key was taken) the whole attempt runs again on fresh state after a
/// short random pause, so the requests that collided do not collide again in lockstep. Any other exception passes.
/// </summary>
public static class OptimisticRetry
{
    public const int DefaultMaxAttempts = 20;

    /// <summary>
    /// A lost race, anywhere in the exception chain: a stale version (documents or streams), a stream or document id taken
    /// by a concurrent insert, or PostgreSQL's unique violation (23505) from a plain insert.
    /// </summary>
    public static bool IsConflict(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is ConcurrencyException or EventStreamUnexpectedMaxEventIdException or DocumentAlreadyExistsException
                or JasperFx.Events.ExistingStreamIdCollisionException or Marten.Exceptions.ExistingStreamIdCollisionException
                or PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
                return true;
        }
        return false;
    }

    /// <summary>
    /// Runs <paramref name="attempt"/> (given its number, from 1) until it returns without a conflict. After
    /// <paramref name="maxAttempts"/> conflicts, <paramref name="exhausted"/> answers if given; otherwise the last
    /// conflict is thrown (and becomes the caller's 409).
    /// </summary>
    public static async Task<T> RunAsync<T>(Func<int, Task<T>> attempt, CancellationToken cancellationToken,
        int maxAttempts = DefaultMaxAttempts, Func<int, T>? exhausted = null)
    {
        for (var number = 1; ; number++)
        {
            try
            {
                return await attempt(number);
            }
            catch (Exception exception) when (IsConflict(exception) && (number < maxAttempts || exhausted is not null))
            {
                if (number >= maxAttempts)
                    return exhausted!(number);
                await Task.Delay(Pause(number), cancellationToken);
            }
        }
    }

    public static Task RunAsync(Func<int, Task> attempt, CancellationToken cancellationToken, int maxAttempts = DefaultMaxAttempts) =>
        RunAsync(async number =>
        {
            await attempt(number);
            return true;
        }, cancellationToken, maxAttempts);

    /// <summary>A few milliseconds, growing with the attempts (to ~60 ms): enough for the winner to commit.</summary>
    static TimeSpan Pause(int attempt) => TimeSpan.FromMilliseconds(Random.Shared.Next(2, 10 + 5 * Math.Min(attempt, 10)));
}
