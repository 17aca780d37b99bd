using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Shop.BuildingBlocks.Http;
using Shop.BuildingBlocks.Security;
using Shop.CartService.Carts.ViewingCart;
using Shop.CartService.Catalog;

namespace Shop.CartService.Carts.AddingItem;

public record ItemAdded(Guid ProductId, string Sku, string Name, decimal UnitPrice, string Currency, int Quantity);

public record AddItemRequest(Guid ProductId, [Range(1, Cart.MaxQuantityPerLine)] int Quantity);

public static class AddItemEndpoint
{
    public static async Task<Results<Ok<CartResponse>, ProblemHttpResult, ValidationProblem>> Handle(
        AddItemRequest request, ClaimsPrincipal user, IDocumentSession session, InventoryCatalogClient inventory, CancellationToken cancellationToken)
    {
        var product = await ReplicaLookup.Find(session, inventory, request.ProductId, cancellationToken);
        if (product is null)
            return Problems.NotFound("The product");
        if (!product.Active)
            return Problems.Unprocessable("The product is no longer sold.");

        var customerId = user.GetUserId();
        var stream = await CartStreams.OpenCart(session, customerId, cancellationToken);
        var cart = stream.Aggregate!;

        var line = cart.Lines.FirstOrDefault(l => l.ProductId == product.Id);
        if (line is null && cart.Lines.Count >= Cart.MaxLines)
            return Problems.Unprocessable($"A cart holds at most {Cart.MaxLines} different products.");
        if ((line?.Quantity ?? 0) + request.Quantity > Cart.MaxQuantityPerLine)
            return Problems.Validation("quantity", $"A line holds at most {Cart.MaxQuantityPerLine} units.");

        stream.AppendOne(new ItemAdded(product.Id, product.Sku, product.Name, product.Price, product.Currency, request.Quantity));
        await session.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(await ViewCartEndpoint.Load(session, customerId, cancellationToken));
    }
}
