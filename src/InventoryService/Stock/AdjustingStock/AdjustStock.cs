using System.ComponentModel.DataAnnotations;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Shop.InventoryService.Catalog.Caching;
using Shop.InventoryService.Stock.ViewingStock;

namespace Shop.InventoryService.Stock.AdjustingStock;

/// <summary>A correction of on-hand after a count, damage or loss: Quantity is signed (-3 removes three units).</summary>
public record AdjustStockRequest(
    [Range(-1_000_000, 1_000_000), NotZero] int Quantity,
    [Required, StringLength(200, MinimumLength = 1)] string Reason);

public static class AdjustStockEndpoint
{
    /// <summary>Corrects on-hand; never below what is reserved, so available never turns negative.</summary>
    public static Task<Results<Ok<StockResponse>, ProblemHttpResult>> Handle(
        Guid id, AdjustStockRequest request, IDocumentStore store, CatalogCacheInvalidation cache, CancellationToken cancellationToken) =>
        OnHandChange.Apply(store, cache, id, request.Quantity, MovementKind.Adjusted, request.Reason.Trim(), cancellationToken);
}

[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class NotZeroAttribute() : ValidationAttribute("The {0} field must not be 0.")
{
    public override bool IsValid(object? value) => value is not 0;
}
