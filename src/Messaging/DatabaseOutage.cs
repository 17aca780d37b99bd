using Npgsql;

namespace Shop.Messaging;

/// <summary>
/// Tells a database that is away — unreachable, or shutting down, crashing or starting up (57P01-57P03, which a crash
/// recovery answers for seconds) — from an error the statement itself caused. Only the first kind is worth waiting for.
/// </summary>
public static class DatabaseOutage
{
    /// <summary>The exception or one it wraps (Marten wraps Npgsql's) says the database is away.</summary>
    public static bool Is(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
            if (current is NpgsqlException npgsql)
                return Is(npgsql);
        return false;
    }

    public static bool Is(NpgsqlException exception) => exception is PostgresException postgres
        ? postgres.SqlState.StartsWith("57P0", StringComparison.Ordinal) || postgres.SqlState.StartsWith("08", StringComparison.Ordinal)
        : exception.IsTransient;

    /// <summary>
    /// Makes <paramref name="attempt"/> until it succeeds, again after each <paramref name="pause"/> while the database is
    /// away, for <paramref name="wait"/> in all; then a <see cref="TimeoutException"/> says so. The bound is the clock's
    /// and it ends the wait for an attempt still running: counted attempts would let each connect that hangs (a host that
    /// drops packets instead of refusing them) add its whole connect timeout. Any other failure ends it at once. Only for
    /// idempotent attempts: one whose outcome was lost with its connection is made again. A zero wait makes one attempt.
    /// </summary>
    public static async Task WaitOut(Func<CancellationToken, Task> attempt, TimeSpan wait, TimeSpan pause, CancellationToken cancellationToken)
    {
        if (wait == TimeSpan.Zero)
        {
            await attempt(cancellationToken);
            return;
        }
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(wait);
        // The last sign of the outage, for the timeout to carry; the deadline cutting an attempt short is none.
        Exception? away = null;
        while (true)
        {
            // Waited for apart from the attempt: Npgsql does not cancel a connect whose server stays silent, so such an
            // attempt is left to end at its own timeout, its outcome unobserved.
            var running = attempt(deadline.Token);
            try
            {
                await running.WaitAsync(deadline.Token);
                return;
            }
            catch (Exception exception) when (Is(exception) || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                away = exception is OperationCanceledException ? away ?? exception : exception;
                _ = running.ContinueWith(abandoned => abandoned.Exception, TaskContinuationOptions.OnlyOnFaulted);
            }
            try
            {
                await Task.Delay(pause, deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"The database was still unavailable after {wait.TotalSeconds:0.#} s", away);
            }
        }
    }
}
