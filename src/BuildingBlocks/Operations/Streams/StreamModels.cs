using System.Text.Json;

namespace Shop.BuildingBlocks.Operations.Streams;

/// <summary>One kind of stream a service keeps (carts, orders, payments, product stock...).</summary>
public interface IStreamSource
{
    string Kind { get; }

    /// <summary>Which list filters apply: "customer", "status" (the date range always does).</summary>
    IReadOnlyCollection<string> Filters { get; }

    Task<StreamPage> List(StreamQuery query, CancellationToken cancellationToken);

    /// <summary>Every event of the stream in order, or null when there is no such stream.</summary>
    Task<StreamDetails?> Show(Guid id, CancellationToken cancellationToken);

    /// <summary>The state after <see cref="StateQuery.Version"/> events or as of <see cref="StateQuery.At"/>; the current one without either.</summary>
    Task<StateResult> StateAt(Guid id, StateQuery query, CancellationToken cancellationToken);
}

public sealed record StreamQuery(string? Customer, string? Status, DateTimeOffset? From, DateTimeOffset? To, int Page, int PageSize);

public sealed record StateQuery(long? Version, DateTimeOffset? At);

public record StreamSummary(Guid Id, string Kind, long Version, DateTimeOffset? CreatedAt, DateTimeOffset? UpdatedAt, string? CustomerId, string? Status);

public record StreamPage(IReadOnlyList<StreamSummary> Items, long Total, int Page, int PageSize);

/// <summary>One event with the metadata operators trace it by: who (user), why (causation: the message that caused it),
/// which flow (correlation: the order id for checkout messages).</summary>
public record StreamEvent(
    long Version, long? Sequence, string Type, DateTimeOffset Timestamp, object? Data, string? CorrelationId, string? CausationId, string? User,
    IReadOnlyDictionary<string, object?>? Headers);

public record StreamDetails(Guid Id, string Kind, long Version, IReadOnlyList<StreamEvent> Events);

public record StreamState(Guid Id, string Kind, long Version, DateTimeOffset? At, JsonElement State);

/// <summary>Outcome of a time-travel query: the state, or why there is none.</summary>
public abstract record StateResult
{
    public sealed record Found(StreamState State) : StateResult;
    public sealed record NoStream : StateResult;
    /// <summary>The stream exists but not at the asked point (version beyond its end, or a time before it began).</summary>
    public sealed record OutOfRange(string Detail) : StateResult;
}
