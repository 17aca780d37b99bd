using System.Collections.Concurrent;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace Shop.Messaging;

/// <summary>
/// Observes the endpoints' in-place retries: logs each retry with its cause and counts them by exception type, so
/// contention (optimistic concurrency conflicts) and flaky dependencies are visible instead of silently absorbed.
/// </summary>
public sealed class RetryLog(ILogger<RetryLog> logger) : IRetryObserver
{
    readonly ConcurrentDictionary<string, long> _retries = new();

    /// <summary>Retries so far, by the short name of the exception that caused them.</summary>
    public IReadOnlyDictionary<string, long> RetriesByException => _retries;

    public Task PreRetry<T>(RetryContext<T> context) where T : class, PipeContext
    {
        var cause = context.Exception.GetType().Name;
        _retries.AddOrUpdate(cause, 1, (_, count) => count + 1);
        logger.LogInformation("Retrying {Context} (attempt {Attempt}) after {Exception}: {Message}",
            TypeCache.GetShortName(context.ContextType), context.RetryAttempt + 1, cause, context.Exception.Message);
        return Task.CompletedTask;
    }

    public Task RetryFault<T>(RetryContext<T> context) where T : class, PipeContext
    {
        logger.LogWarning(context.Exception, "Retries exhausted for {Context} after {Attempts} attempts",
            TypeCache.GetShortName(context.ContextType), context.RetryAttempt + 1);
        return Task.CompletedTask;
    }

    public Task PostCreate<T>(RetryPolicyContext<T> context) where T : class, PipeContext => Task.CompletedTask;
    public Task PostFault<T>(RetryContext<T> context) where T : class, PipeContext => Task.CompletedTask;
    public Task RetryComplete<T>(RetryContext<T> context) where T : class, PipeContext => Task.CompletedTask;
}
