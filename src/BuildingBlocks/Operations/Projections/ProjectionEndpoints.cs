using JasperFx.Events.Projections;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Shop.BuildingBlocks.Http;

namespace Shop.BuildingBlocks.Operations.Projections;

/// <summary>
/// A projection of the service's event store. Async projections have a position and lag and are rebuilt online;
/// inline ones are written in the same transaction as their events (always current) and are rebuilt offline with
/// Marten's command line while the service is stopped (`dotnet Service.dll projections rebuild -p NAME`).
/// </summary>
public record ProjectionInfo(
    string Name, string Lifecycle, IReadOnlyList<string> Shards, long? Position, long HighWaterMark, long? Lag, string? Status, bool Rebuildable,
    string? Note, RebuildStatus? Rebuild);

public static class ProjectionEndpoints
{
    public static async Task<Ok<IReadOnlyList<ProjectionInfo>>> List(IDocumentStore store, EventProgress progress, ProjectionRebuilds rebuilds,
        CancellationToken cancellationToken)
    {
        var positions = await progress.Read(cancellationToken);
        var list = new List<ProjectionInfo>();
        foreach (var projection in store.Configuration().Projections.All)
            list.Add(await Describe(projection, positions, progress, rebuilds, cancellationToken));
        return TypedResults.Ok<IReadOnlyList<ProjectionInfo>>(list);
    }

    public static async Task<Results<Accepted<RebuildStatus>, ProblemHttpResult>> Rebuild(
        string name, IDocumentStore store, ProjectionRebuilds rebuilds, CancellationToken cancellationToken)
    {
        if (Find(store, name) is not { } projection)
            return Problems.NotFound($"The projection '{name}'");
        if (projection.Lifecycle != ProjectionLifecycle.Async)
            return Problems.Conflict(
                $"{projection.Name} is an {projection.Lifecycle} projection: it is written in the same transaction as its events, so it is always " +
                "current and has nothing to catch up. To rebuild it after changing its code, stop the service and run " +
                $"`dotnet <Service>.dll projections rebuild -p {projection.Name}`.");

        return await rebuilds.Start(projection, cancellationToken) switch
        {
            ProjectionRebuilds.StartResult.Started started =>
                TypedResults.Accepted($"/admin/projections/{projection.Name}/rebuild", started.Status),
            ProjectionRebuilds.StartResult.AlreadyRunning running =>
                Problems.Conflict($"{projection.Name} is already being rebuilt ({running.Status.Percent}% done)."),
            ProjectionRebuilds.StartResult.NotHere notHere => Problems.Conflict(notHere.Detail),
            _ => throw new InvalidOperationException("Unknown rebuild outcome"),
        };
    }

    public static async Task<Results<Ok<RebuildStatus>, ProblemHttpResult>> RebuildStatus(
        string name, IDocumentStore store, ProjectionRebuilds rebuilds, CancellationToken cancellationToken)
    {
        if (Find(store, name) is not { } projection)
            return Problems.NotFound($"The projection '{name}'");
        return await rebuilds.Status(projection.Name, cancellationToken) is { } status
            ? TypedResults.Ok(status)
            : Problems.NotFound($"A rebuild of {projection.Name} since the service started");
    }

    static IProjectionSource<IDocumentOperations, IQuerySession>? Find(IDocumentStore store, string name) =>
        store.Configuration().Projections.All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    static async Task<ProjectionInfo> Describe(IProjectionSource<IDocumentOperations, IQuerySession> projection, EventProgress.Positions positions,
        EventProgress progress, ProjectionRebuilds rebuilds, CancellationToken cancellationToken)
    {
        var rebuild = await rebuilds.Status(projection.Name, cancellationToken);
        if (projection.Lifecycle != ProjectionLifecycle.Async)
            return new ProjectionInfo(projection.Name, projection.Lifecycle.ToString(), [], null, positions.HighWaterMark, 0, "current", false,
                "written with its events; rebuild offline with the service's `projections rebuild` command", rebuild);

        var shards = projection.Shards().Select(s => s.Name).ToList();
        var position = shards.Select(positions.Of).DefaultIfEmpty(0).Min();
        var status = string.Join(", ", shards.Select(s => progress.AgentStatus(s.Identity)).Distinct());
        return new ProjectionInfo(projection.Name, projection.Lifecycle.ToString(), shards.Select(s => s.Identity).ToList(), position,
            positions.HighWaterMark, Math.Max(0, positions.HighWaterMark - position), status, true, null, rebuild);
    }
}
