using System.Net;
using Xunit;

namespace Shop.CartService.Tests.Carts;

/// <summary>Cart versions as ETags, If-Match, and concurrent writers without it.</summary>
[Collection(CartCollection.Name)]
public sealed class ConcurrencyTests(CartServiceFixture fixture)
{
    [Fact]
    public async Task A_stale_If_Match_is_refused_with_412_and_changes_nothing()
    {
        var (a, b) = (await fixture.CreateProduct(4m), await fixture.CreateProduct(6m));
        using var shopper = fixture.NewCustomer();
        using (var empty = await shopper.Http.GetAsync("api/cart"))
            Assert.Equal("\"none\"", empty.Headers.ETag?.Tag);

        string etag;
        using (var added = await shopper.Add(a.Id, 1, ifMatch: "\"none\""))
        {
            Assert.Equal(HttpStatusCode.OK, added.StatusCode);
            etag = added.Headers.ETag!.Tag.ToString();
        }
        // "Another tab" moves the cart on.
        using (var other = await shopper.Add(b.Id, 1))
            Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        var current = await shopper.Get();

        foreach (var stale in new Func<Task<HttpResponseMessage>>[]
                 {
                     () => shopper.Add(a.Id, 1, etag), () => shopper.SetQuantity(a.Id, 5, etag), () => shopper.Remove(a.Id, etag),
                     () => shopper.Clear(etag), () => shopper.CheckOut(ifMatch: etag), () => shopper.Add(a.Id, 1, "\"none\""),
                 })
        {
            using var response = await stale();
            Assert.Equal($"\"{current.Id:N}.{current.Version}\"", response.Headers.ETag?.Tag);
            await CartClient.Problem(response, HttpStatusCode.PreconditionFailed);
        }
        Assert.Equal(current.Version, (await shopper.Get()).Version);

        var fresh = $"\"{current.Id:N}.{current.Version}\"";
        var changed = await CartClient.Read<CartClient.Cart>(await shopper.SetQuantity(a.Id, 5, fresh));
        Assert.Equal(5, changed.Line(a.Id).Quantity);
        Assert.Equal(HttpStatusCode.OK, (await shopper.Add(a.Id, 1, "*")).StatusCode);
        await CartClient.Problem(await shopper.Add(a.Id, 1, "not-an-etag"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task If_None_Match_with_the_current_tag_answers_304()
    {
        var a = await fixture.CreateProduct(4m);
        using var shopper = fixture.NewCustomer();
        var cart = await shopper.AddOk(a.Id, 1);
        var request = new HttpRequestMessage(HttpMethod.Get, "api/cart");
        request.Headers.TryAddWithoutValidation("If-None-Match", $"\"{cart.Id:N}.{cart.Version}\"");
        using var response = await shopper.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
    }

    [Fact]
    public async Task Concurrent_changes_from_two_tabs_without_If_Match_all_survive()
    {
        var (a, b, c) = (await fixture.CreateProduct(1m), await fixture.CreateProduct(2m), await fixture.CreateProduct(3m));
        using var shopper = fixture.NewCustomer();
        await shopper.AddOk(a.Id, 1);
        await shopper.AddOk(c.Id, 1);

        // Tab one sets a's quantity and removes c while tab two keeps adding b.
        var tabOne = Task.WhenAll(shopper.SetQuantity(a.Id, 7), shopper.Remove(c.Id));
        var tabTwo = Task.WhenAll(Enumerable.Range(0, 10).Select(_ => shopper.Add(b.Id, 1)));
        foreach (var response in (await tabOne).Concat(await tabTwo))
            await CartClient.Read<CartClient.Cart>(response);

        var cart = await shopper.Get();
        Assert.Equal(7, cart.Line(a.Id).Quantity);
        Assert.Equal(10, cart.Line(b.Id).Quantity);
        Assert.DoesNotContain(cart.Items, i => i.ProductId == c.Id);
        Assert.Equal(3 + 12, cart.Version);
    }
}
