using System.ComponentModel.DataAnnotations;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Shop.BuildingBlocks.Http;
using Shop.InventoryService.Stock.ViewingStock;

namespace Shop.InventoryService.Stock.AddingStock;

public record AddStockRequest([Range(1, 1_000_000)] int Quantity);

public static class AddStockEndpoint
{
    /// <summary>Receives units into the warehouse. A concurrent reservation makes the commit conflict and the request is retried.</summary>
    public static async Task<Results<Ok<StockResponse>, ProblemHttpResult>> Handle(
        Guid id, AddStockRequest request, IDocumentStore store, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var session = store.LightweightSession();
            var item = await session.LoadAsync<StockItem>(id, cancellationToken);
            if (item is null)
                return Problems.NotFound("The product");
            item.OnHand += request.Quantity;
            session.Update(item);
            session.Insert(StockMovement.For(id, MovementKind.Received, request.Quantity, null));
            try
            {
                await session.SaveChangesAsync(cancellationToken);
                return TypedResults.Ok(await ViewStockEndpoint.Load(session, item, cancellationToken));
            }
            catch (JasperFx.ConcurrencyException) when (attempt < 5)
            {
            }
        }
    }
}
