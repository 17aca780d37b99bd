using System.Net;
using Xunit;

namespace Shop.CartService.Tests.Carts;

/// <summary>PUT /api/cart/items/{id}, DELETE /api/cart/items/{id}, DELETE /api/cart.</summary>
[Collection(CartCollection.Name)]
public sealed class ChangingItemsTests(CartServiceFixture fixture)
{
    [Fact]
    public async Task Put_sets_the_quantity_and_zero_removes_the_line()
    {
        var (a, b) = (await fixture.CreateProduct(4m), await fixture.CreateProduct(6m));
        using var shopper = fixture.NewCustomer();
        await shopper.AddOk(a.Id, 1);
        await shopper.AddOk(b.Id, 1);

        var cart = await CartClient.Read<CartClient.Cart>(await shopper.SetQuantity(a.Id, 7));
        Assert.Equal(7, cart.Line(a.Id).Quantity);
        Assert.Equal(7 * 4m + 6m, cart.Total);

        var unchanged = await CartClient.Read<CartClient.Cart>(await shopper.SetQuantity(a.Id, 7));
        Assert.Equal(cart.Version, unchanged.Version); // nothing to record

        cart = await CartClient.Read<CartClient.Cart>(await shopper.SetQuantity(a.Id, 0));
        Assert.Equal([b.Id], cart.Items.Select(i => i.ProductId));
        await CartClient.Problem(await shopper.SetQuantity(a.Id, 3), HttpStatusCode.NotFound);
        await CartClient.Problem(await shopper.SetQuantity(b.Id, 100), HttpStatusCode.BadRequest);

        var history = await shopper.GetHistory();
        Assert.Equal(["CartOpened", "ItemAdded", "ItemAdded", "ItemQuantityChanged", "ItemRemoved"], history.Events.Select(e => e.Type));
    }

    [Fact]
    public async Task Delete_removes_a_line_and_a_missing_line_is_404()
    {
        var (a, b) = (await fixture.CreateProduct(4m), await fixture.CreateProduct(6m));
        using var shopper = fixture.NewCustomer();
        await CartClient.Problem(await shopper.Remove(a.Id), HttpStatusCode.NotFound); // no cart at all
        await shopper.AddOk(a.Id, 2);
        await shopper.AddOk(b.Id, 3);

        var cart = await CartClient.Read<CartClient.Cart>(await shopper.Remove(a.Id));
        Assert.Equal([b.Id], cart.Items.Select(i => i.ProductId));
        Assert.Equal(18m, cart.Total);
        await CartClient.Problem(await shopper.Remove(a.Id), HttpStatusCode.NotFound);
        Assert.Equal(cart.Version, (await shopper.Get()).Version);
    }

    [Fact]
    public async Task Clearing_empties_the_same_cart_and_clearing_an_empty_cart_records_nothing()
    {
        var (a, b) = (await fixture.CreateProduct(4m), await fixture.CreateProduct(6m));
        using var shopper = fixture.NewCustomer();
        using (var nothing = await shopper.Clear())
            Assert.Equal(HttpStatusCode.NoContent, nothing.StatusCode);
        Assert.Equal(0, await fixture.EventCount(shopper.UserId));

        var before = await shopper.AddOk(a.Id, 2);
        await shopper.AddOk(b.Id, 1);
        using (var cleared = await shopper.Clear())
        {
            Assert.Equal(HttpStatusCode.NoContent, cleared.StatusCode);
            Assert.Equal($"\"{before.Id:N}.4\"", cleared.Headers.ETag?.Tag);
        }
        var cart = await shopper.Get();
        Assert.Equal(before.Id, cart.Id);
        Assert.Empty(cart.Items);
        Assert.Equal(0m, cart.Total);

        using (var again = await shopper.Clear())
            Assert.Equal(HttpStatusCode.NoContent, again.StatusCode);
        Assert.Equal(["CartOpened", "ItemAdded", "ItemAdded", "CartCleared"], (await shopper.GetHistory()).Events.Select(e => e.Type));
        Assert.Equal(2, (await shopper.AddOk(a.Id, 2)).Line(a.Id).Quantity);
    }
}
