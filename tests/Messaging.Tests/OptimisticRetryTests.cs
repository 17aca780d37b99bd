using Npgsql;
using Shop.BuildingBlocks.Persistence;
using Xunit;

namespace Shop.Messaging.Tests;

/// <summary>The one optimistic-concurrency retry loop, without servers: what it retries, how often, and what it lets through.</summary>
public sealed class OptimisticRetryTests
{
    static readonly Exception UniqueViolation = new PostgresException("duplicate key", "ERROR", "ERROR", PostgresErrorCodes.UniqueViolation);

    [Fact]
    public async Task A_conflicting_attempt_runs_again_until_one_succeeds()
    {
        var attempts = new List<int>();
        var result = await OptimisticRetry.RunAsync(number =>
        {
            attempts.Add(number);
            return number < 3 ? throw new InvalidOperationException("save failed", UniqueViolation) : Task.FromResult("saved");
        }, CancellationToken.None);

        Assert.Equal("saved", result);
        Assert.Equal([1, 2, 3], attempts);
    }

    [Fact]
    public async Task Anything_but_a_conflict_passes_at_once()
    {
        var attempts = 0;
        await Assert.ThrowsAsync<TimeoutException>(() => OptimisticRetry.RunAsync<int>(_ =>
        {
            attempts++;
            throw new TimeoutException();
        }, CancellationToken.None));
        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task After_the_last_attempt_the_exhausted_answer_is_given_or_the_conflict_is_thrown()
    {
        var attempts = 0;
        var answer = await OptimisticRetry.RunAsync<string>(_ =>
        {
            attempts++;
            throw new JasperFx.ConcurrencyException(typeof(object), Guid.NewGuid());
        }, CancellationToken.None, maxAttempts: 4, exhausted: number => $"gave up after {number}");
        Assert.Equal(("gave up after 4", 4), (answer, attempts));

        attempts = 0;
        await Assert.ThrowsAsync<PostgresException>(() => OptimisticRetry.RunAsync(_ =>
        {
            attempts++;
            throw UniqueViolation;
        }, CancellationToken.None, maxAttempts: 3));
        Assert.Equal(3, attempts);
    }

    [Fact]
    public void Conflicts_are_recognised_anywhere_in_the_exception_chain_and_nothing_else_is()
    {
        Assert.True(OptimisticRetry.IsConflict(new Exception("outer", new Exception("middle", UniqueViolation))));
        Assert.False(OptimisticRetry.IsConflict(new PostgresException("deadlock", "ERROR", "ERROR", PostgresErrorCodes.DeadlockDetected)));
        Assert.False(OptimisticRetry.IsConflict(new InvalidOperationException()));
    }
}
