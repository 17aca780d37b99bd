using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Http;
using Shop.Gateway.Routing;
using Shop.Testing;
using Xunit;

namespace Shop.Gateway.Tests.Routing;

/// <summary>
/// The gateway's shared cache of the catalog, on the fixture's two gateway instances: what it answers itself, and that a
/// price change, a deactivation and a sale show through every instance within the catalog's bound (s-maxage, 1 s).
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class SharedCacheTests(GatewayFixture fixture)
{
    static readonly TimeSpan Bound = TimeSpan.FromSeconds(1);
    readonly ShopCluster _cluster = fixture.Cluster;

    static Task<CatalogAnswer> Get(ShopApi api, string path, string? ifNoneMatch = null) => CatalogAnswer.Get(api.Http, path, ifNoneMatch);

    /// <summary>Until then an entry filled before the change may still be served; a little over it for the timers' granularity.</summary>
    static Task PastTheBound(DateTimeOffset changedAt) =>
        Task.Delay(changedAt + Bound + TimeSpan.FromMilliseconds(100) - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero);

    static string PageOf(string category) => $"api/products?category={Uri.EscapeDataString(category)}";

    async Task<ShopApi.Product> CreateProduct(ShopApi admin, string category, decimal price, int stock)
    {
        var sku = $"SC-{Guid.NewGuid():N}"[..20].ToUpperInvariant();
        using var response = await admin.Http.PostAsJsonAsync("api/products",
            new { sku, name = $"Cached {sku}", description = "shared cache test", price, currency = "EUR", category, imageUrl = (string?)null, stock });
        await ShopApi.EnsureSuccess(response);
        return (await response.Content.ReadFromJsonAsync<ShopApi.Product>(ShopApi.Json))!;
    }

    static async Task Edit(ShopApi admin, ShopApi.Product product, decimal price)
    {
        using var response = await admin.Http.PutAsJsonAsync($"api/products/{product.Id}",
            new { name = product.Name, description = product.Description, price, category = product.Category, imageUrl = (string?)null });
        await ShopApi.EnsureSuccess(response);
    }

    [Fact]
    public async Task The_gateway_answers_a_catalog_page_from_its_cache_with_the_services_validators()
    {
        using var admin = await _cluster.AdminApi();
        var category = $"Shared {Guid.NewGuid():N}"[..16];
        var product = await CreateProduct(admin, category, 12.00m, 5);
        using var visitor = Visitors.New(_cluster);

        var first = await Get(visitor, PageOf(category));
        var second = await Get(visitor, PageOf(category));
        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.NotNull(second.Age);   // the service never answers a fill from its own cache: an Age is the gateway's
        Assert.Equal(first.Body, second.Body);
        Assert.Equal(first.ETag, second.ETag);
        Assert.True(second.CacheControl is { Public: true, SharedMaxAge: not null }, $"Cache-Control: {second.CacheControl}");
        Assert.Equal([product.Id], second.Read<ShopApi.ProductPage>().Items.Select(p => p.Id));

        // A browser revalidating with the tag it holds gets a 304 (from the cache while the entry lives, else from a fill).
        var revalidated = await Get(visitor, PageOf(category), second.ETag);
        Assert.Equal(HttpStatusCode.NotModified, revalidated.Status);
        Assert.Equal(second.ETag, revalidated.ETag);

        // A signed-in shopper's private reads are never kept: two cart reads, no Age.
        using var shopper = Visitors.New(_cluster);
        await shopper.Login(await Visitors.RegisterCustomer(_cluster), Visitors.Password);
        foreach (var _ in new[] { 1, 2 })
        {
            using var cart = await shopper.Http.GetAsync("api/cart");
            Assert.Equal(HttpStatusCode.OK, cart.StatusCode);
            Assert.Null(cart.Headers.Age);
        }
    }

    [Fact]
    public async Task A_change_through_one_gateway_shows_there_at_once_and_through_the_other_within_the_bound()
    {
        using var admin = await _cluster.AdminApi();   // signed in through the first gateway instance
        using var here = Visitors.New(_cluster, gateway: 0);
        using var there = Visitors.New(_cluster, gateway: 1);
        var category = $"Shared {Guid.NewGuid():N}"[..16];
        var product = await CreateProduct(admin, category, 30.00m, 5);
        foreach (var visitor in new[] { here, there })
        {
            Assert.Equal(30.00m, (await Get(visitor, PageOf(category))).Read<ShopApi.ProductPage>().Items.Single().Price);
            Assert.Equal(30.00m, (await Get(visitor, $"api/products/{product.Id}")).Read<ShopApi.Product>().Price);
        }

        await Edit(admin, product, 24.00m);
        var editedAt = DateTimeOffset.UtcNow;
        Assert.Equal(24.00m, (await Get(here, PageOf(category))).Read<ShopApi.ProductPage>().Items.Single().Price);
        Assert.Equal(24.00m, (await Get(here, $"api/products/{product.Id}")).Read<ShopApi.Product>().Price);
        await PastTheBound(editedAt);
        Assert.Equal(24.00m, (await Get(there, PageOf(category))).Read<ShopApi.ProductPage>().Items.Single().Price);
        Assert.Equal(24.00m, (await Get(there, $"api/products/{product.Id}")).Read<ShopApi.Product>().Price);

        // Deactivated: gone from cached pages and product answers on both instances, in the same bounds.
        Assert.Single((await Get(there, PageOf(category))).Read<ShopApi.ProductPage>().Items);
        using (var deactivated = await admin.Http.PostAsync($"api/products/{product.Id}/deactivate", null))
            await ShopApi.EnsureSuccess(deactivated);
        var deactivatedAt = DateTimeOffset.UtcNow;
        Assert.Empty((await Get(here, PageOf(category))).Read<ShopApi.ProductPage>().Items);
        Assert.Equal(HttpStatusCode.NotFound, (await Get(here, $"api/products/{product.Id}")).Status);
        await PastTheBound(deactivatedAt);
        Assert.Empty((await Get(there, PageOf(category))).Read<ShopApi.ProductPage>().Items);
        Assert.Equal(HttpStatusCode.NotFound, (await Get(there, $"api/products/{product.Id}")).Status);

        // The admins' list with deactivated products is theirs alone: never kept, however often it is read.
        foreach (var _ in new[] { 1, 2 })
        {
            var adminList = await Get(admin, PageOf(category) + "&includeInactive=true");
            Assert.Equal([product.Id], adminList.Read<ShopApi.ProductPage>().Items.Select(p => p.Id));
            Assert.Null(adminList.Age);
        }
    }

    [Fact]
    public async Task A_sale_shows_through_every_gateway_within_the_bound()
    {
        using var admin = await _cluster.AdminApi();
        using var here = Visitors.New(_cluster, gateway: 0);
        using var there = Visitors.New(_cluster, gateway: 1);
        var category = $"Shared {Guid.NewGuid():N}"[..16];
        var product = await CreateProduct(admin, category, 8.00m, 6);
        foreach (var visitor in new[] { here, there })
            Assert.Equal(6, (await Get(visitor, PageOf(category))).Read<ShopApi.ProductPage>().Items.Single().Available);

        using var shopper = Visitors.New(_cluster);
        await shopper.Login(await Visitors.RegisterCustomer(_cluster), Visitors.Password);
        // The cart learns new products from InventoryService's events: until then it refuses the item.
        Assert.True(await Poll.Until(async () =>
        {
            using var added = await shopper.Http.PostAsJsonAsync("api/cart/items", new { productId = product.Id, quantity = 2 }, ShopApi.Json);
            return added.IsSuccessStatusCode;
        }, TimeSpan.FromSeconds(30)), "the cart never accepted the new product");
        var orderId = await shopper.Checkout("pm_card_visa");
        await shopper.WaitForOrder(orderId, TimeSpan.FromSeconds(90), "Confirmed", "Completed");
        // The order is confirmed, so its reservation committed before now.
        await PastTheBound(DateTimeOffset.UtcNow);
        foreach (var visitor in new[] { here, there })
        {
            Assert.Equal(4, (await Get(visitor, PageOf(category))).Read<ShopApi.ProductPage>().Items.Single().Available);
            Assert.Equal(4, (await Get(visitor, $"api/products/{product.Id}")).Read<ShopApi.Product>().Available);
        }
    }
}

/// <summary>What the gateway may keep of an answer, by RFC 9111's rules for shared caches (no servers).</summary>
public sealed class SharedLifetimeTests
{
    static TimeSpan? Lifetime(string? cacheControl, string? age = null, int status = 200, string? vary = null, string? setCookie = null)
    {
        var response = new DefaultHttpContext().Response;
        response.StatusCode = status;
        if (cacheControl is not null) response.Headers.CacheControl = cacheControl;
        if (age is not null) response.Headers.Age = age;
        if (vary is not null) response.Headers.Vary = vary;
        if (setCookie is not null) response.Headers.SetCookie = setCookie;
        return SharedCachePolicy.SharedLifetime(response);
    }

    [Fact]
    public void A_public_answer_is_kept_for_its_shared_max_age_less_the_age_it_already_has()
    {
        Assert.Equal(TimeSpan.FromSeconds(1), Lifetime("public, max-age=0, s-maxage=1"));
        Assert.Equal(TimeSpan.FromSeconds(7), Lifetime("public, max-age=0, s-maxage=10", age: "3"));
        Assert.Equal(TimeSpan.FromSeconds(5), Lifetime("public, max-age=5"));
        Assert.Null(Lifetime("public, s-maxage=1", age: "1"));
        Assert.Null(Lifetime("public, s-maxage=1", age: "4"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("public")]
    [InlineData("private, s-maxage=10")]
    [InlineData("public, no-store, s-maxage=10")]
    [InlineData("public, no-cache, s-maxage=10")]
    [InlineData("s-maxage=10")]   // only what the service calls public: an answer to a signed-in request may be theirs alone
    public void An_answer_the_service_did_not_declare_shareable_is_not_kept(string? cacheControl) => Assert.Null(Lifetime(cacheControl));

    [Fact]
    public void Errors_cookies_and_variants_are_not_kept()
    {
        Assert.Null(Lifetime("public, s-maxage=10", status: 404));
        Assert.Null(Lifetime("public, s-maxage=10", status: 304));
        Assert.Null(Lifetime("public, s-maxage=10", setCookie: "a=b"));
        Assert.Null(Lifetime("public, s-maxage=10", vary: "Accept-Language"));
    }
}
