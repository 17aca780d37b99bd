using System.Diagnostics;
using System.Net;
using Xunit;
using Xunit.Abstractions;

namespace Shop.CartService.Tests.Carts;

[Collection(CartCollection.Name)]
public sealed class AddItemTests(CartServiceFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Adding_a_product_already_in_the_cart_adds_to_its_quantity()
    {
        var mug = await fixture.CreateProduct(12.50m);
        using var shopper = fixture.NewCustomer();

        var first = await shopper.AddOk(mug.Id, 2);
        using var response = await shopper.Add(mug.Id, 3);
        var etag = response.Headers.ETag?.Tag;
        var cart = await CartClient.Read<CartClient.Cart>(response);

        Assert.Equal(first.Id, cart.Id);
        var line = Assert.Single(cart.Items);
        Assert.Equal((mug.Id, 5, 12.50m, 62.50m, mug.Name), (line.ProductId, line.Quantity, line.UnitPrice, line.LineTotal, line.Name));
        Assert.Equal(62.50m, cart.Total);
        Assert.Equal("EUR", cart.Currency);
        Assert.Equal(3, cart.Version); // opened, added, added
        Assert.Equal($"\"{cart.Id:N}.{cart.Version}\"", etag);
        Assert.Equal("Open", cart.Status);
        Assert.InRange(cart.LastActivityAt!.Value, DateTimeOffset.UtcNow.AddMinutes(-2), DateTimeOffset.UtcNow.AddMinutes(1));
        var reread = await shopper.Get();
        Assert.Equal((cart.Id, cart.Version, cart.Total), (reread.Id, reread.Version, reread.Total));
        Assert.Equal(cart.Items, reread.Items);
    }

    [Fact]
    public async Task Quantities_stay_within_1_to_99_per_line()
    {
        var product = await fixture.CreateProduct(3m);
        using var shopper = fixture.NewCustomer();
        await shopper.AddOk(product.Id, 60);

        await CartClient.Problem(await shopper.Add(product.Id, 0), HttpStatusCode.BadRequest);
        await CartClient.Problem(await shopper.Add(product.Id, 100), HttpStatusCode.BadRequest);
        await CartClient.Problem(await shopper.Add(product.Id, -1), HttpStatusCode.BadRequest);
        var tooMany = await CartClient.Problem(await shopper.Add(product.Id, 40), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("99", tooMany.GetProperty("detail").GetString());

        var cart = await CartClient.Read<CartClient.Cart>(await shopper.Add(product.Id, 39));
        Assert.Equal(99, cart.Line(product.Id).Quantity);
    }

    [Fact]
    public async Task A_cart_holds_at_most_50_different_products()
    {
        var products = new List<CartServiceFixture.Product>();
        for (var i = 0; i < 51; i++)
            products.Add(await fixture.CreateProduct(1m + i));
        using var shopper = fixture.NewCustomer();
        foreach (var product in products.Take(50))
            await shopper.AddOk(product.Id, 1);

        var refused = await CartClient.Problem(await shopper.Add(products[50].Id, 1), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("50", refused.GetProperty("detail").GetString());
        var cart = await shopper.Get();
        Assert.Equal(50, cart.Items.Count);
        Assert.DoesNotContain(cart.Items, i => i.ProductId == products[50].Id);
        // More units of a product already in the cart are still fine.
        Assert.Equal(2, (await shopper.AddOk(products[0].Id, 1)).Line(products[0].Id).Quantity);
    }

    [Fact]
    public async Task Unknown_products_are_404_and_products_no_longer_sold_are_422()
    {
        using var shopper = fixture.NewCustomer();
        var unknown = await CartClient.Problem(await shopper.Add(Guid.NewGuid(), 1), HttpStatusCode.NotFound);
        Assert.Contains("product", unknown.GetProperty("title").GetString(), StringComparison.OrdinalIgnoreCase);

        var retired = await fixture.CreateProduct(9m);
        await fixture.WaitForReplica(retired.Id, p => p.Active);
        await fixture.UpdateProduct(retired, 9m, active: false);
        await fixture.WaitForReplica(retired.Id, p => !p.Active);
        await CartClient.Problem(await shopper.Add(retired.Id, 1), HttpStatusCode.UnprocessableEntity);

        Assert.Null((await shopper.Get()).Id);
        Assert.Equal(0, await fixture.EventCount(shopper.UserId));
    }

    [Fact]
    public async Task A_cart_is_priced_in_one_currency()
    {
        var euro = await fixture.CreateProduct(5m, "EUR");
        var dollar = await fixture.CreateProduct(5m, "USD");
        using var shopper = fixture.NewCustomer();
        await shopper.AddOk(euro.Id, 1);
        await CartClient.Problem(await shopper.Add(dollar.Id, 1), HttpStatusCode.UnprocessableEntity);
        Assert.Single((await shopper.Get()).Items);
    }

    [Fact]
    public async Task Twenty_parallel_adds_to_one_cart_are_all_counted()
    {
        var products = new[] { await fixture.CreateProduct(2m), await fixture.CreateProduct(3m), await fixture.CreateProduct(4m), await fixture.CreateProduct(5m) };
        using var shopper = fixture.NewCustomer();

        // A brand-new customer: the first adds also race to open the cart.
        var clock = Stopwatch.StartNew();
        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => shopper.Add(products[i % 4].Id, 1)));
        output.WriteLine($"20 concurrent adds to one new cart: {clock.ElapsedMilliseconds} ms in all (conflicts retried)");
        foreach (var response in responses)
            await CartClient.Read<CartClient.Cart>(response);

        var cart = await shopper.Get();
        Assert.Equal(4, cart.Items.Count);
        Assert.All(cart.Items, i => Assert.Equal(5, i.Quantity));
        Assert.Equal(5 * (2m + 3m + 4m + 5m), cart.Total);
        Assert.Equal(21, cart.Version);
        var history = await shopper.GetHistory();
        Assert.Equal(20, history.Events.Count(e => e.Type == "ItemAdded"));
        Assert.Equal(21, await fixture.EventCount(shopper.UserId)); // one cart, not several
    }
}
