using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Shop.Contracts.Inventory;
using Shop.Testing;
using Xunit;

namespace Shop.InventoryService.Tests.Catalog;

/// <summary>
/// The catalog cache of one instance, with entries kept for ten minutes: what is served from it, with which validators,
/// and which changes evict it at once.
/// </summary>
[Collection(LongCatalogCacheCollection.Name)]
public sealed class CatalogCacheTests(LongCatalogCache inventory)
{
    static object Edit(ProductDto product, decimal? price = null, bool? active = null) => new
    {
        product.Name, product.Description, price = price ?? product.Price, product.Category, product.ImageUrl, active,
    };

    static string Category() => $"Cache {Guid.NewGuid():N}"[..16];

    static string PageOf(string category) => $"api/products?category={Uri.EscapeDataString(category)}&pageSize=100";

    [Fact]
    public async Task Pages_and_products_are_served_from_the_cache_with_a_content_etag_and_cdn_freshness()
    {
        var category = Category();
        var product = await inventory.CreateProduct(stock: 4, category: category);

        var first = await CatalogAnswer.Get(inventory.Anonymous, PageOf(category));
        var second = await CatalogAnswer.Get(inventory.Anonymous, PageOf(category));
        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.True(second.FromCache, "the second request was not served from the cache");
        Assert.Equal(first.Body, second.Body);
        Assert.Equal(first.ETag, second.ETag);
        Assert.True(second.CacheControl is { Public: true, Private: false, NoStore: false }, $"Cache-Control: {second.CacheControl}");
        Assert.Equal((TimeSpan.Zero, LongCatalogCache.Duration), (second.CacheControl.MaxAge, second.CacheControl.SharedMaxAge));
        Assert.Equal([product.Id], second.Read<ProductPageDto>().Items.Select(p => p.Id));

        // A signed-in shopper gets the very same entry: the catalog does not depend on who asks.
        var signedIn = await CatalogAnswer.Get(inventory.Customer, PageOf(category));
        Assert.True(signedIn.FromCache);
        Assert.Equal(first.ETag, signedIn.ETag);

        // The client that holds the current tag gets a 304 without a body, from the cache and from a fresh answer alike.
        var notModified = await CatalogAnswer.Get(inventory.Anonymous, PageOf(category), first.ETag);
        Assert.Equal(HttpStatusCode.NotModified, notModified.Status);
        Assert.Equal(first.ETag, notModified.ETag);
        Assert.Equal("", notModified.Body);
        var unseenPage = PageOf(category) + "&sort=price";
        var fresh = await CatalogAnswer.Get(inventory.Anonymous, unseenPage);
        Assert.False(fresh.FromCache);
        var freshNotModified = await CatalogAnswer.Get(inventory.Anonymous, unseenPage + "&page=1", fresh.ETag);
        Assert.Equal(HttpStatusCode.NotModified, freshNotModified.Status);
        Assert.Equal(HttpStatusCode.OK, (await CatalogAnswer.Get(inventory.Anonymous, PageOf(category), "\"another\"")).Status);

        var productFirst = await CatalogAnswer.Get(inventory.Anonymous, $"api/products/{product.Id}");
        var productSecond = await CatalogAnswer.Get(inventory.Anonymous, $"api/products/{product.Id}");
        Assert.True(productSecond.FromCache);
        Assert.Equal(productFirst.ETag, productSecond.ETag);
        Assert.Equal(4, productSecond.Read<ProductDto>().Available);
    }

    [Fact]
    public async Task A_price_change_evicts_the_cached_pages_and_product_at_once()
    {
        var category = Category();
        var product = await inventory.CreateProduct(price: 20.00m, category: category);
        var page = await CatalogAnswer.Get(inventory.Anonymous, PageOf(category));
        await CatalogAnswer.Get(inventory.Anonymous, $"api/products/{product.Id}");
        Assert.True((await CatalogAnswer.Get(inventory.Anonymous, PageOf(category))).FromCache);

        using (var edited = await inventory.Admin.PutAsJsonAsync($"api/products/{product.Id}", Edit(product, price: 14.50m)))
            await ShopApi.EnsureSuccess(edited);

        var repriced = await CatalogAnswer.Get(inventory.Anonymous, PageOf(category));
        Assert.Equal(14.50m, Assert.Single(repriced.Read<ProductPageDto>().Items).Price);
        Assert.NotEqual(page.ETag, repriced.ETag);
        Assert.Equal(HttpStatusCode.OK, (await CatalogAnswer.Get(inventory.Anonymous, PageOf(category), page.ETag)).Status);
        Assert.Equal(14.50m, (await CatalogAnswer.Get(inventory.Anonymous, $"api/products/{product.Id}")).Read<ProductDto>().Price);
    }

    [Fact]
    public async Task A_deactivated_product_disappears_from_cached_pages_at_once_and_comes_back_when_reactivated()
    {
        var category = Category();
        var kept = await inventory.CreateProduct(category: category);
        var dropped = await inventory.CreateProduct(category: category);
        var browse = $"api/products?search={Uri.EscapeDataString(dropped.Name)}";
        Assert.Equal(2, (await CatalogAnswer.Get(inventory.Anonymous, PageOf(category))).Read<ProductPageDto>().Total);
        Assert.Single((await CatalogAnswer.Get(inventory.Anonymous, browse)).Read<ProductPageDto>().Items);
        Assert.True((await CatalogAnswer.Get(inventory.Anonymous, PageOf(category))).FromCache);

        using (var deactivated = await inventory.Admin.PostAsync($"api/products/{dropped.Id}/deactivate", null))
            await ShopApi.EnsureSuccess(deactivated);

        var page = (await CatalogAnswer.Get(inventory.Anonymous, PageOf(category))).Read<ProductPageDto>();
        Assert.Equal([kept.Id], page.Items.Select(p => p.Id));
        Assert.Equal(1, page.Total);
        Assert.Empty((await CatalogAnswer.Get(inventory.Anonymous, browse)).Read<ProductPageDto>().Items);
        Assert.False((await CatalogAnswer.Get(inventory.Anonymous, $"api/products/{dropped.Id}")).Read<ProductDto>().Active);

        using (var reactivated = await inventory.Admin.PostAsync($"api/products/{dropped.Id}/reactivate", null))
            await ShopApi.EnsureSuccess(reactivated);
        Assert.Equal(2, (await CatalogAnswer.Get(inventory.Anonymous, PageOf(category))).Read<ProductPageDto>().Total);
    }

    [Fact]
    public async Task Received_and_adjusted_stock_shows_at_once()
    {
        var category = Category();
        var product = await inventory.CreateProduct(stock: 5, category: category);
        Assert.Equal(5, (await CatalogAnswer.Get(inventory.Anonymous, PageOf(category))).Read<ProductPageDto>().Items[0].Available);
        await CatalogAnswer.Get(inventory.Anonymous, $"api/products/{product.Id}");

        using (var received = await inventory.Admin.PostAsJsonAsync($"api/products/{product.Id}/stock", new { quantity = 7 }))
            await ShopApi.EnsureSuccess(received);
        Assert.Equal(12, (await CatalogAnswer.Get(inventory.Anonymous, PageOf(category))).Read<ProductPageDto>().Items[0].Available);
        Assert.Equal(12, (await CatalogAnswer.Get(inventory.Anonymous, $"api/products/{product.Id}")).Read<ProductDto>().Available);

        using (var adjusted = await inventory.Admin.PostAsJsonAsync($"api/products/{product.Id}/stock/adjustments", new { quantity = -2, reason = "Broken in a test" }))
            await ShopApi.EnsureSuccess(adjusted);
        Assert.Equal(10, (await CatalogAnswer.Get(inventory.Anonymous, $"api/products/{product.Id}")).Read<ProductDto>().Available);
    }

    [Fact]
    public async Task Reservations_decide_on_stock_never_on_the_cached_catalog()
    {
        var category = Category();
        var product = await inventory.CreateProduct(stock: 3, category: category);
        Assert.Equal(3, (await CatalogAnswer.Get(inventory.Anonymous, PageOf(category))).Read<ProductPageDto>().Items[0].Available);

        var first = Guid.NewGuid();
        await inventory.Send(new ReserveStock(first, [new StockLine(product.Id, 3)]));
        await inventory.Events.WaitFor<StockReserved>(e => e.OrderId == first);

        // A reservation does not evict (stock may trail it by the cache's duration, here ten minutes): the page still
        // offers three units, yet the next reservation is refused, because it reads the stock itself.
        var cached = await CatalogAnswer.Get(inventory.Anonymous, PageOf(category));
        Assert.True(cached.FromCache);
        Assert.Equal(3, cached.Read<ProductPageDto>().Items[0].Available);
        var second = Guid.NewGuid();
        await inventory.Send(new ReserveStock(second, [new StockLine(product.Id, 1)]));
        var refused = await inventory.Events.WaitFor<StockReservationFailed>(e => e.OrderId == second);
        Assert.Equal([product.Id], refused.UnavailableProductIds);
    }

    [Fact]
    public async Task The_admins_list_with_deactivated_products_is_never_cached_and_bad_queries_are_problems()
    {
        var category = Category();
        var product = await inventory.CreateProduct(category: category);
        var withInactive = PageOf(category) + "&includeInactive=true";

        var first = await CatalogAnswer.Get(inventory.Admin, withInactive);
        Assert.True(first.CacheControl is { Private: true, NoStore: true, Public: false }, $"Cache-Control: {first.CacheControl}");
        Assert.False((await CatalogAnswer.Get(inventory.Admin, withInactive)).FromCache);
        using (var deactivated = await inventory.Admin.PostAsync($"api/products/{product.Id}/deactivate", null))
            await ShopApi.EnsureSuccess(deactivated);
        Assert.False(Assert.Single((await CatalogAnswer.Get(inventory.Admin, withInactive)).Read<ProductPageDto>().Items).Active);

        // Refusals are ProblemDetails and are not stored: the next identical request is judged again.
        var forbidden = await CatalogAnswer.Get(inventory.Customer, withInactive);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.Status);
        var invalid = await CatalogAnswer.Get(inventory.Anonymous, "api/products?pageSize=0");
        Assert.Equal(HttpStatusCode.BadRequest, invalid.Status);
        Assert.Contains("pageSize", invalid.Body);
        Assert.False((await CatalogAnswer.Get(inventory.Anonymous, "api/products?pageSize=0")).FromCache);
        var missing = await CatalogAnswer.Get(inventory.Anonymous, $"api/products/{Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.False(missing.FromCache);
    }
}

/// <summary>
/// The bound on staleness with two instances and the default cache duration: a change made through one instance, or a
/// reservation consumed by either, shows on every instance for every request sent more than the cache's duration later.
/// </summary>
[Collection(TwoInstancesCollection.Name)]
public sealed class CatalogFreshnessTests(TwoInstances inventory)
{
    static readonly TimeSpan Bound = new Shop.InventoryService.Catalog.Caching.CatalogCacheOptions().Duration;

    /// <summary>Until then an entry filled before the change may still be served; a little over it for the timers' granularity.</summary>
    static Task PastTheBound(DateTimeOffset changedAt) =>
        Task.Delay(changedAt + Bound + TimeSpan.FromMilliseconds(50) - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero);

    static string Category() => $"Fresh {Guid.NewGuid():N}"[..16];

    static string PageOf(string category) => $"api/products?category={Uri.EscapeDataString(category)}";

    [Fact]
    public async Task A_price_change_through_one_instance_shows_on_the_other_within_the_cache_duration()
    {
        using var other = inventory.Client(1, null);
        var category = Category();
        var product = await inventory.CreateProduct(price: 30.00m, category: category);
        Assert.Equal(30.00m, (await CatalogAnswer.Get(other, PageOf(category))).Read<ProductPageDto>().Items[0].Price);
        await CatalogAnswer.Get(other, $"api/products/{product.Id}");

        using (var edited = await inventory.Admin.PutAsJsonAsync($"api/products/{product.Id}", new
               {
                   product.Name, product.Description, price = 24.00m, product.Category, product.ImageUrl,
               }))
            await ShopApi.EnsureSuccess(edited);
        var changedAt = DateTimeOffset.UtcNow;
        // The instance that made the change evicted its own entries.
        Assert.Equal(24.00m, (await CatalogAnswer.Get(inventory.Anonymous, PageOf(category))).Read<ProductPageDto>().Items[0].Price);

        await PastTheBound(changedAt);
        Assert.Equal(24.00m, (await CatalogAnswer.Get(other, PageOf(category))).Read<ProductPageDto>().Items[0].Price);
        Assert.Equal(24.00m, (await CatalogAnswer.Get(other, $"api/products/{product.Id}")).Read<ProductDto>().Price);
    }

    [Fact]
    public async Task A_sale_shows_in_the_catalog_of_every_instance_within_the_cache_duration()
    {
        using var other = inventory.Client(1, null);
        var category = Category();
        var product = await inventory.CreateProduct(stock: 8, category: category);
        foreach (var client in new[] { inventory.Anonymous, other })
            Assert.Equal(8, (await CatalogAnswer.Get(client, PageOf(category))).Read<ProductPageDto>().Items[0].Available);

        var order = Guid.NewGuid();
        await inventory.Send(new ReserveStock(order, [new StockLine(product.Id, 3)]));
        await inventory.Events.WaitFor<StockReserved>(e => e.OrderId == order);
        var soldAt = DateTimeOffset.UtcNow;

        await PastTheBound(soldAt);
        foreach (var client in new[] { inventory.Anonymous, other })
        {
            Assert.Equal(5, (await CatalogAnswer.Get(client, PageOf(category))).Read<ProductPageDto>().Items[0].Available);
            Assert.Equal(5, (await CatalogAnswer.Get(client, $"api/products/{product.Id}")).Read<ProductDto>().Available);
        }
    }

    [Fact]
    public async Task Both_instances_tag_the_same_page_alike_so_a_client_revalidates_wherever_it_lands()
    {
        using var other = inventory.Client(1, null);
        var category = Category();
        await inventory.CreateProduct(category: category);
        var here = await CatalogAnswer.Get(inventory.Anonymous, PageOf(category));
        var there = await CatalogAnswer.Get(other, PageOf(category));
        Assert.Equal(here.Body, there.Body);
        Assert.Equal(here.ETag, there.ETag);
        Assert.Equal(HttpStatusCode.NotModified, (await CatalogAnswer.Get(other, PageOf(category), here.ETag)).Status);
    }
}
