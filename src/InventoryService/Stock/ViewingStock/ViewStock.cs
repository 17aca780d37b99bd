using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Shop.BuildingBlocks.Http;

namespace Shop.InventoryService.Stock.ViewingStock;

public record MovementResponse(MovementKind Kind, int Quantity, Guid? OrderId, string? Reason, DateTimeOffset At);

public record StockResponse(Guid ProductId, int OnHand, int Reserved, int Available, int Sold, IReadOnlyList<MovementResponse> RecentMovements);

public static class ViewStockEndpoint
{
    public static async Task<Results<Ok<StockResponse>, ProblemHttpResult>> Handle(Guid id, IQuerySession session, CancellationToken cancellationToken)
    {
        var item = await session.LoadAsync<StockItem>(id, cancellationToken);
        return item is null ? Problems.NotFound("The product") : TypedResults.Ok(await Load(session, item, cancellationToken));
    }

    public static async Task<StockResponse> Load(IQuerySession session, StockItem item, CancellationToken cancellationToken)
    {
        var movements = await session.Query<StockMovement>()
            .Where(m => m.ProductId == item.Id)
            .OrderByDescending(m => m.At)
            .Take(20)
            .ToListAsync(cancellationToken);
        return new StockResponse(item.Id, item.OnHand, item.Reserved, item.Available, item.Sold,
            movements.Select(m => new MovementResponse(m.Kind, m.Quantity, m.OrderId, m.Reason, m.At)).ToList());
    }
}
