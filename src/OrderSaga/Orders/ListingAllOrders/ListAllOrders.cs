using Marten;
using Marten.Linq;
using Microsoft.AspNetCore.Http.HttpResults;
using Shop.BuildingBlocks.Http;
using Shop.OrderSaga.Orders.Projections;

namespace Shop.OrderSaga.Orders.ListingAllOrders;

public record AdminOrderListItem(
    Guid OrderId, Guid CustomerId, string CustomerEmail, string Status, string? FailureReason, decimal Total, string Currency,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public record AdminOrderPage(IReadOnlyList<AdminOrderListItem> Items, long Total, int Page, int PageSize);

/// <summary>GET /api/orders/all (admin): every customer's orders, newest first, optionally of one status, paged.</summary>
public static class ListAllOrdersEndpoint
{
    public const int MaxPageSize = 100;

    public static async Task<Results<Ok<AdminOrderPage>, ValidationProblem>> Handle(
        IQuerySession session, CancellationToken cancellationToken, string? status = null, int page = 1, int pageSize = 20)
    {
        var errors = Paging.Problems(page, pageSize, MaxPageSize);
        if (!string.IsNullOrWhiteSpace(status) && !OrderStatus.All.Contains(status))
            errors["status"] = [$"status must be one of: {string.Join(", ", OrderStatus.All)}."];
        if (errors.Count > 0)
            return Problems.Validation(errors);

        IQueryable<OrderDetails> query = session.Query<OrderDetails>().Stats(out QueryStatistics stats);
        if (!string.IsNullOrWhiteSpace(status))
            query = query.Where(o => o.Status == status);
        var orders = await query
            .OrderByDescending(o => o.CreatedAt).ThenBy(o => o.Id)
            .Skip(Paging.Skip(page, pageSize)).Take(pageSize)
            .ToListAsync(cancellationToken);
        var items = orders
            .Select(o => new AdminOrderListItem(o.Id, o.CustomerId, o.CustomerEmail, o.Status, o.FailureReason, o.Total, o.Currency, o.CreatedAt, o.UpdatedAt))
            .ToList();
        return TypedResults.Ok(new AdminOrderPage(items, stats.TotalResults, page, pageSize));
    }
}
