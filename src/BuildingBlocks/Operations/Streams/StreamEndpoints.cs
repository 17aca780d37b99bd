using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Shop.BuildingBlocks.Http;

namespace Shop.BuildingBlocks.Operations.Streams;

/// <summary>The stream sources a service registered, built once.</summary>
public sealed class StreamSources(OperationsCatalog catalog, IServiceProvider provider)
{
    readonly Lazy<IReadOnlyList<IStreamSource>> _sources = new(() => catalog.Streams
        .Select(r => (IStreamSource)(r.EventStream is { } kind
            ? ActivatorUtilities.CreateInstance(provider, r.SourceType, kind)
            : ActivatorUtilities.CreateInstance(provider, r.SourceType)))
        .ToList());

    public IReadOnlyList<IStreamSource> All => _sources.Value;

    public IStreamSource? Find(string? kind) =>
        kind is null ? (All.Count == 1 ? All[0] : null) : All.FirstOrDefault(s => string.Equals(s.Kind, kind, StringComparison.OrdinalIgnoreCase));
}

public static class StreamEndpoints
{
    const int MaxPageSize = 200;

    public static async Task<Results<Ok<StreamPage>, ValidationProblem>> List(
        StreamSources sources, CancellationToken cancellationToken, string? type = null, string? customer = null, string? status = null,
        DateTimeOffset? from = null, DateTimeOffset? to = null, int page = 1, int pageSize = 50)
    {
        var errors = new Dictionary<string, string[]>();
        var source = sources.Find(type);
        if (source is null)
            errors["type"] = [$"Choose one of: {string.Join(", ", sources.All.Select(s => s.Kind))}."];
        if (customer is not null && source is not null && !source.Filters.Contains("customer"))
            errors["customer"] = [$"{source.Kind} streams have no customer."];
        if (status is not null && source is not null && !source.Filters.Contains("status"))
            errors["status"] = [$"{source.Kind} streams have no status."];
        Paging.Validate(page, pageSize, MaxPageSize, errors);
        if (from is not null && to is not null && from >= to)
            errors["to"] = ["The end of the date range must be after its start."];
        if (errors.Count > 0)
            return Problems.Validation(errors);

        return TypedResults.Ok(await source!.List(new StreamQuery(customer, status, from, to, page, pageSize), cancellationToken));
    }

    public static async Task<Results<Ok<StreamDetails>, ProblemHttpResult, ValidationProblem>> Show(
        Guid id, StreamSources sources, CancellationToken cancellationToken, string? type = null)
    {
        if (Choose(sources, type) is not { } candidates)
            return UnknownType(sources);
        foreach (var source in candidates)
        {
            if (await source.Show(id, cancellationToken) is { } details)
                return TypedResults.Ok(details);
        }
        return Problems.NotFound("The stream");
    }

    public static async Task<Results<Ok<StreamState>, ProblemHttpResult, ValidationProblem>> State(
        Guid id, StreamSources sources, CancellationToken cancellationToken, string? type = null, long? version = null, DateTimeOffset? at = null)
    {
        if (version is not null && at is not null)
            return Problems.Validation("version", "Give a version or a time, not both.");
        if (version is < 1)
            return Problems.Validation("version", "Versions start at 1 (the stream's first event).");
        if (Choose(sources, type) is not { } candidates)
            return UnknownType(sources);

        foreach (var source in candidates)
        {
            switch (await source.StateAt(id, new StateQuery(version, at), cancellationToken))
            {
                case StateResult.Found found:
                    return TypedResults.Ok(found.State);
                case StateResult.OutOfRange outOfRange:
                    return Problems.Unprocessable(outOfRange.Detail);
            }
        }
        return Problems.NotFound("The stream");
    }

    static IReadOnlyList<IStreamSource>? Choose(StreamSources sources, string? type) =>
        type is null ? sources.All : sources.Find(type) is { } one ? [one] : null;

    static ValidationProblem UnknownType(StreamSources sources) =>
        Problems.Validation("type", $"Choose one of: {string.Join(", ", sources.All.Select(s => s.Kind))}.");
}
