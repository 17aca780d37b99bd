using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Shop.Messaging;

/// <summary>
/// Settings of the messaging core (configuration section "Messaging"). The defaults are what `./shop run` uses; the
/// reasons for each number are in docs/MESSAGING.md.
/// </summary>
public sealed class MessagingOptions
{
    public const string Section = "Messaging";

    /// <summary>
    /// Pauses between in-place retries of a message whose consumer failed (optimistic-concurrency conflicts above all,
    /// which a fresh read resolves at once).
    /// </summary>
    public IReadOnlyList<TimeSpan> RetryIntervals { get; set; } =
        [.. new[] { 50, 100, 200, 500, 1000, 2000, 5000 }.Select(ms => TimeSpan.FromMilliseconds(ms))];

    /// <summary>Later attempts of a message that still fails after the in-place retries; then it goes to &lt;queue&gt;_error.</summary>
    public IReadOnlyList<TimeSpan> RedeliveryIntervals { get; set; } =
        [TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10)];

    /// <summary>
    /// How long a redelivery waits for the database to take its outbox row (a crash and recovery take seconds) before
    /// the message goes to &lt;queue&gt;_error instead. The message stays unacknowledged meanwhile, so nothing is lost.
    /// </summary>
    public TimeSpan DatabaseOutageWait { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long the relay leaves a freshly committed message to the process that committed it (which sends it right after
    /// its commit). Only when that process died or could not reach the broker does the relay send the row, after this.
    /// Longer than <see cref="SendTimeout"/>, so the relay never races a send that is still in progress.
    /// </summary>
    public TimeSpan DispatchLease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest wait for the broker's confirm of one send before it counts as failed.</summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the relay looks for due rows (scheduled messages, rows a crash left behind) when nothing wakes it.</summary>
    public TimeSpan RelayPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Rows the relay claims at once.</summary>
    public int RelayBatchSize { get; set; } = 200;

    /// <summary>Attempts after which the relay sets a row aside as dead (listed by the errors API, re-driven by an operator).</summary>
    public int MaxSendAttempts { get; set; } = 10;

    /// <summary>How long inbox records (which message each consumer already handled) are kept. Must outlast any redelivery.</summary>
    public TimeSpan InboxRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long a saga that reached a terminal state is kept (stragglers for it are handled until then).</summary>
    public TimeSpan FinishedSagaRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often retention runs (inbox records, finished sagas).</summary>
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Messages RabbitMQ hands each endpoint ahead of time.</summary>
    public int PrefetchCount { get; set; } = 32;

    /// <summary>Messages an endpoint consumes at once (each holds one PostgreSQL connection while it runs).</summary>
    public int ConcurrentMessageLimit { get; set; } = 16;

    /// <summary>
    /// Messages a service's intake endpoint (new work, e.g. new orders) consumes at once while its gate is open; it
    /// takes twice as many ahead of time. Small: the intake only has to keep up with arrivals between backlogs.
    /// </summary>
    public int IntakeConcurrentMessageLimit { get; set; } = 4;

    /// <summary>Reads the section; "RetryIntervals" and "RedeliveryIntervals" are comma-separated lists of time spans, or "none".</summary>
    public static MessagingOptions From(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var defaults = new MessagingOptions();
        TimeSpan Span(string key, TimeSpan fallback) =>
            section[key] is { Length: > 0 } value ? TimeSpan.Parse(value, CultureInfo.InvariantCulture) : fallback;
        int Number(string key, int fallback) =>
            section[key] is { Length: > 0 } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;
        var options = new MessagingOptions
        {
            RetryIntervals = ParseIntervals(section[nameof(RetryIntervals)]) ?? defaults.RetryIntervals,
            RedeliveryIntervals = ParseIntervals(section[nameof(RedeliveryIntervals)]) ?? defaults.RedeliveryIntervals,
            DatabaseOutageWait = Span(nameof(DatabaseOutageWait), defaults.DatabaseOutageWait),
            DispatchLease = Span(nameof(DispatchLease), defaults.DispatchLease),
            SendTimeout = Span(nameof(SendTimeout), defaults.SendTimeout),
            RelayPollInterval = Span(nameof(RelayPollInterval), defaults.RelayPollInterval),
            RelayBatchSize = Number(nameof(RelayBatchSize), defaults.RelayBatchSize),
            MaxSendAttempts = Number(nameof(MaxSendAttempts), defaults.MaxSendAttempts),
            InboxRetention = Span(nameof(InboxRetention), defaults.InboxRetention),
            FinishedSagaRetention = Span(nameof(FinishedSagaRetention), defaults.FinishedSagaRetention),
            RetentionInterval = Span(nameof(RetentionInterval), defaults.RetentionInterval),
            PrefetchCount = Number(nameof(PrefetchCount), defaults.PrefetchCount),
            ConcurrentMessageLimit = Number(nameof(ConcurrentMessageLimit), defaults.ConcurrentMessageLimit),
            IntakeConcurrentMessageLimit = Number(nameof(IntakeConcurrentMessageLimit), defaults.IntakeConcurrentMessageLimit),
        };
        var problems = options.Problems().ToList();
        if (problems.Count > 0)
            throw new InvalidOperationException($"Invalid {Section} configuration: {string.Join("; ", problems)}.");
        return options;
    }

    static TimeSpan[]? ParseIntervals(string? setting) => setting?.Trim() switch
    {
        null or "" => null,
        "none" => [],
        var list => list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(value => TimeSpan.Parse(value, CultureInfo.InvariantCulture)).ToArray(),
    };

    IEnumerable<string> Problems()
    {
        if (DatabaseOutageWait < TimeSpan.Zero)
            yield return "DatabaseOutageWait must not be negative";
        if (SendTimeout <= TimeSpan.Zero)
            yield return "SendTimeout must be positive";
        if (DispatchLease <= SendTimeout)
            yield return "DispatchLease must be longer than SendTimeout";
        if (RelayPollInterval <= TimeSpan.Zero)
            yield return "RelayPollInterval must be positive";
        if (RelayBatchSize < 1)
            yield return "RelayBatchSize must be at least 1";
        if (MaxSendAttempts < 1)
            yield return "MaxSendAttempts must be at least 1";
        if (InboxRetention <= RedeliveryIntervals.Aggregate(TimeSpan.Zero, (sum, interval) => sum + interval))
            yield return "InboxRetention must outlast all redelivery intervals together";
        if (PrefetchCount < ConcurrentMessageLimit)
            yield return "PrefetchCount must be at least ConcurrentMessageLimit";
        if (ConcurrentMessageLimit < 1)
            yield return "ConcurrentMessageLimit must be at least 1";
        if (IntakeConcurrentMessageLimit < 1)
            yield return "IntakeConcurrentMessageLimit must be at least 1";
    }
}
