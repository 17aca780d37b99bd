using System.Net;
using System.Text.Json;
using Xunit;

namespace Shop.CartService.Tests.Carts;

/// <summary>Ownership, history and time travel.</summary>
[Collection(CartCollection.Name)]
public sealed class ViewingCartTests(CartServiceFixture fixture)
{
    [Fact]
    public async Task A_second_customer_gets_404_on_the_first_customers_cart_exactly_like_a_missing_one()
    {
        var product = await fixture.CreateProduct(8m);
        using var first = fixture.NewCustomer();
        var cart = await first.AddOk(product.Id, 2);
        Assert.Equal(cart.Id, (await CartClient.Read<CartClient.Cart>(await first.Http.GetAsync($"api/cart/{cart.Id}"))).Id);

        using var second = fixture.NewCustomer();
        var theirs = await CartClient.Problem(await second.Http.GetAsync($"api/cart/{cart.Id}"), HttpStatusCode.NotFound);
        var missing = await CartClient.Problem(await second.Http.GetAsync($"api/cart/{Guid.NewGuid()}"), HttpStatusCode.NotFound);
        Assert.Equal(missing.GetProperty("title").GetString(), theirs.GetProperty("title").GetString());
        await CartClient.Problem(await second.Http.GetAsync($"api/cart/{cart.Id}/history"), HttpStatusCode.NotFound);
        await CartClient.Problem(await second.Http.GetAsync($"api/cart/{cart.Id}?atVersion=1"), HttpStatusCode.NotFound);

        // The second customer's own cart is theirs alone: empty, and their changes never reach the first cart.
        Assert.Null((await second.Get()).Id);
        await CartClient.Problem(await second.SetQuantity(product.Id, 5), HttpStatusCode.NotFound);
        await CartClient.Problem(await second.Remove(product.Id), HttpStatusCode.NotFound);
        using (var cleared = await second.Clear())
            Assert.Equal(HttpStatusCode.NoContent, cleared.StatusCode);
        var secondCart = await second.AddOk(product.Id, 1);
        Assert.NotEqual(cart.Id, secondCart.Id);

        var unchanged = await first.Get();
        Assert.Equal((cart.Version, 2), (unchanged.Version, unchanged.Line(product.Id).Quantity));

        using var anonymous = fixture.Anonymous();
        using (var response = await anonymous.Http.GetAsync("api/cart"))
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var admin = fixture.Admin();
        Assert.Equal(cart.Id, (await CartClient.Read<CartClient.Cart>(await admin.Http.GetAsync($"api/cart/{cart.Id}"))).Id);
    }

    [Fact]
    public async Task The_cart_view_is_kept_by_no_cache_and_revalidates_with_its_etag()
    {
        var product = await fixture.CreateProduct(6m);
        using var shopper = fixture.NewCustomer();
        var cart = await shopper.AddOk(product.Id, 2);

        var mine = await shopper.Http.GetAsync("api/cart");
        Assert.True(mine.Headers.CacheControl is { Private: true, NoStore: true, Public: false }, $"Cache-Control: {mine.Headers.CacheControl}");
        var etag = mine.Headers.ETag!;
        var view = await CartClient.Read<CartClient.Cart>(mine);
        Assert.Equal((cart.Id, 12m), (view.Id, view.Total));

        using var revalidate = new HttpRequestMessage(HttpMethod.Get, "api/cart");
        revalidate.Headers.IfNoneMatch.Add(etag);
        using var notModified = await shopper.Http.SendAsync(revalidate);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.True(notModified.Headers.CacheControl is { Private: true, NoStore: true }, $"Cache-Control: {notModified.Headers.CacheControl}");

        using var byId = await shopper.Http.GetAsync($"api/cart/{cart.Id}");
        Assert.True(byId.Headers.CacheControl is { Private: true, NoStore: true }, $"Cache-Control: {byId.Headers.CacheControl}");
        Assert.Equal(etag, byId.Headers.ETag);
    }

    [Fact]
    public async Task Time_travel_returns_the_cart_as_it_was_at_a_version()
    {
        var (a, b) = (await fixture.CreateProduct(10m), await fixture.CreateProduct(20m));
        using var shopper = fixture.NewCustomer();
        await shopper.AddOk(a.Id, 1);                                               // v2
        await shopper.AddOk(b.Id, 2);                                               // v3
        await CartClient.Read<CartClient.Cart>(await shopper.SetQuantity(a.Id, 5)); // v4
        await CartClient.Read<CartClient.Cart>(await shopper.Remove(b.Id));         // v5
        // The price changes afterwards: the past versions keep the price they had.
        await fixture.UpdateProduct(a, 11m, active: true);
        await fixture.WaitForReplica(a.Id, p => p.Price == 11m);

        var now = await shopper.Get();
        Assert.Equal((5, 55m), (now.Version, now.Total));

        var atThree = await shopper.Get("?atVersion=3");
        Assert.Equal((3, now.Id), (atThree.Version, atThree.Id));
        Assert.Equal([(a.Id, 1, 10m), (b.Id, 2, 20m)], atThree.Items.Select(i => (i.ProductId, i.Quantity, i.UnitPrice)));
        Assert.Equal(50m, atThree.Total);

        var atTwo = await shopper.Get("?atVersion=2");
        Assert.Equal([(a.Id, 1)], atTwo.Items.Select(i => (i.ProductId, i.Quantity)));
        var atOne = await shopper.Get("?atVersion=1");
        Assert.Empty(atOne.Items);
        var atFour = await shopper.Get("?atVersion=4");
        Assert.Equal(5 * 10m + 2 * 20m, atFour.Total);

        await CartClient.Problem(await shopper.Http.GetAsync("api/cart?atVersion=6"), HttpStatusCode.NotFound);
        await CartClient.Problem(await shopper.Http.GetAsync("api/cart?atVersion=0"), HttpStatusCode.BadRequest);
        await CartClient.Problem(await shopper.Http.GetAsync("api/cart?atVersion=abc"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task History_lists_every_event_with_version_type_time_and_data()
    {
        var a = await fixture.CreateProduct(10m);
        using var shopper = fixture.NewCustomer();
        Assert.Empty((await shopper.GetHistory()).Events);
        var cart = await shopper.AddOk(a.Id, 2);
        await CartClient.Read<CartClient.Cart>(await shopper.SetQuantity(a.Id, 3));

        var history = await shopper.GetHistory();
        Assert.Equal(cart.Id, history.CartId);
        Assert.Equal(3, history.Version);
        Assert.Equal([1L, 2L, 3L], history.Events.Select(e => e.Version));
        Assert.Equal(["CartOpened", "ItemAdded", "ItemQuantityChanged"], history.Events.Select(e => e.Type));
        Assert.True(history.Events.Zip(history.Events.Skip(1)).All(p => p.First.Time <= p.Second.Time));
        Assert.InRange(history.Events[0].Time, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));

        var added = history.Events[1].Data;
        Assert.Equal(a.Id, added.GetProperty("productId").GetGuid());
        Assert.Equal(2, added.GetProperty("quantity").GetInt32());
        Assert.Equal(10m, added.GetProperty("unitPrice").GetDecimal());
        Assert.Equal(3, history.Events[2].Data.GetProperty("quantity").GetInt32());
        Assert.Equal(JsonValueKind.Object, history.Events[0].Data.ValueKind);
    }
}
