using System.Net;
using System.Net.Http.Json;

namespace Shop.CartService.Catalog;

/// <summary>Reads products from InventoryService's public catalog API, for replica misses and reconciliation.</summary>
public sealed class InventoryCatalogClient(HttpClient http)
{
    record ProductDto(Guid Id, string Sku, string Name, decimal Price, string Currency, bool Active, DateTimeOffset UpdatedAt);

    record PageDto(List<ProductDto> Items, long Total);

    /// <summary>The product, or null if InventoryService does not know it. Throws when InventoryService is unreachable.</summary>
    public async Task<CatalogProduct?> GetProduct(Guid id, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync($"api/products/{id}", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
            return null;
        response.EnsureSuccessStatusCode();
        var dto = await response.Content.ReadFromJsonAsync<ProductDto>(cancellationToken);
        return dto is null ? null : ToReplica(dto);
    }

    /// <summary>Every active product, page by page.</summary>
    public async IAsyncEnumerable<CatalogProduct> ActiveProducts([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var page = 1; ; page++)
        {
            var result = await http.GetFromJsonAsync<PageDto>($"api/products?page={page}&pageSize=100&sort=newest", cancellationToken);
            if (result is null || result.Items.Count == 0)
                yield break;
            foreach (var dto in result.Items)
                yield return ToReplica(dto);
            if (page * 100L >= result.Total)
                yield break;
        }
    }

    static CatalogProduct ToReplica(ProductDto dto) => new()
    {
        Id = dto.Id, Sku = dto.Sku, Name = dto.Name, Price = dto.Price, Currency = dto.Currency, Active = dto.Active, ChangedAt = dto.UpdatedAt,
    };
}
