using System.ComponentModel.DataAnnotations;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Shop.InventoryService.Catalog.Caching;
using Shop.InventoryService.Stock.ViewingStock;

namespace Shop.InventoryService.Stock.AddingStock;

public record AddStockRequest([Range(1, 1_000_000)] int Quantity);

public static class AddStockEndpoint
{
    /// <summary>Receives units into the warehouse.</summary>
    public static Task<Results<Ok<StockResponse>, ProblemHttpResult>> Handle(
        Guid id, AddStockRequest request, IDocumentStore store, CatalogCacheInvalidation cache, CancellationToken cancellationToken) =>
        OnHandChange.Apply(store, cache, id, request.Quantity, MovementKind.Received, null, cancellationToken);
}
