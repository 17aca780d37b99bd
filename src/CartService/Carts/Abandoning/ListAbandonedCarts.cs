using System.ComponentModel.DataAnnotations;
using Marten;
using Marten.Pagination;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Shop.BuildingBlocks.Http;

namespace Shop.CartService.Carts.Abandoning;

public record AbandonedCartResponse(
    Guid CartId, Guid CustomerId, int Lines, int Units, decimal Total, string Currency, DateTimeOffset LastActivityAt, DateTimeOffset AbandonedAt);

public record AbandonedCartPage(IReadOnlyList<AbandonedCartResponse> Items, long Total, int Page, int PageSize);

// Properties, not a positional record: Microsoft.AspNetCore.OpenApi 10 throws on [AsParameters] constructor parameters
// that carry validation attributes (dotnet/aspnetcore#65348), which broke the service's OpenAPI document.
public record AbandonedCartQuery
{
    [Range(1, Paging.MaxPage)] public int? Page { get; init; }
    [Range(1, 200)] public int? PageSize { get; init; }
}

public static class ListAbandonedCartsEndpoint
{
    /// <summary>GET /api/cart/abandoned (admin): carts currently marked abandoned, longest idle first, at their recorded prices.</summary>
    public static async Task<Ok<AbandonedCartPage>> Handle([AsParameters] AbandonedCartQuery query, IQuerySession session,
        CancellationToken cancellationToken)
    {
        var page = query.Page ?? 1;
        var pageSize = query.PageSize ?? 50;
        var carts = await session.Query<Cart>()
            .Where(c => c.Status == CartStatus.Abandoned)
            .OrderBy(c => c.LastActivityAt)
            .ToPagedListAsync(page, pageSize, cancellationToken);
        var items = carts.Select(c => new AbandonedCartResponse(c.Id, c.CustomerId, c.Lines.Count, c.Lines.Sum(l => l.Quantity),
            c.Lines.Sum(l => l.PriceWhenAdded * l.Quantity), c.Currency, c.LastActivityAt, c.AbandonedAt ?? c.LastActivityAt)).ToList();
        return TypedResults.Ok(new AbandonedCartPage(items, carts.TotalItemCount, page, pageSize));
    }
}
