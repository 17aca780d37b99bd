using System.Net;
using Marten;
using Shop.CartService.Carts;
using Xunit;

namespace Shop.CartService.Tests.Carts;

[Collection(CartCollection.Name)]
public sealed class CheckoutTests(CartServiceFixture fixture)
{
    [Fact]
    public async Task An_empty_cart_cannot_be_checked_out()
    {
        using var shopper = fixture.NewCustomer();
        await CartClient.Problem(await shopper.CheckOut(), HttpStatusCode.Conflict);

        var product = await fixture.CreateProduct(5m);
        await shopper.AddOk(product.Id, 1);
        using (var cleared = await shopper.Clear())
            Assert.Equal(HttpStatusCode.NoContent, cleared.StatusCode);
        await CartClient.Problem(await shopper.CheckOut(), HttpStatusCode.Conflict);
        Assert.Equal(0, await CheckedOutCarts(shopper));
    }

    [Fact]
    public async Task After_checkout_the_old_cart_is_closed_and_the_customer_starts_a_fresh_one()
    {
        var (a, b) = (await fixture.CreateProduct(10m), await fixture.CreateProduct(2.5m));
        using var shopper = fixture.NewCustomer();
        await shopper.AddOk(a.Id, 2);
        var before = await shopper.AddOk(b.Id, 4);

        using var response = await shopper.CheckOut();
        var checkout = await CartClient.Read<CartClient.Checkout>(response, HttpStatusCode.Accepted);
        Assert.Equal($"/api/orders/{checkout.OrderId}", response.Headers.Location?.ToString());
        Assert.Equal(before.Id, checkout.CartId);
        Assert.Equal(30m, checkout.Total);
        Assert.Equal("EUR", checkout.Currency);
        Assert.False(checkout.PricesChanged);
        Assert.Equal([(a.Id, 2, 10m), (b.Id, 4, 2.5m)], checkout.Lines.Select(l => (l.ProductId, l.Quantity, l.UnitPrice)));

        var fresh = await shopper.Get();
        Assert.Null(fresh.Id);
        Assert.Empty(fresh.Items);
        var next = await shopper.AddOk(a.Id, 1);
        Assert.NotEqual(before.Id, next.Id);
        Assert.Equal([(a.Id, 1)], next.Items.Select(i => (i.ProductId, i.Quantity)));
        Assert.Equal(2, next.Version);

        var closed = await CartClient.Read<CartClient.Cart>(await shopper.Http.GetAsync($"api/cart/{before.Id}"));
        Assert.Equal(("CheckedOut", checkout.OrderId), (closed.Status, closed.OrderId));
        var history = await shopper.GetHistory($"api/cart/{before.Id}/history");
        Assert.Equal("CheckedOut", history.Events[^1].Type);
        Assert.Equal(checkout.OrderId, history.Events[^1].Data.GetProperty("orderId").GetGuid());
    }

    [Fact]
    public async Task A_double_click_makes_one_order_and_both_clicks_get_its_answer()
    {
        var product = await fixture.CreateProduct(7m);
        using var shopper = fixture.NewCustomer();
        var cart = await shopper.AddOk(product.Id, 3);
        var etag = $"\"{cart.Id:N}.{cart.Version}\"";

        // The web app sends the ETag of the cart it shows: both clicks name the same cart version.
        var clicks = await Task.WhenAll(shopper.CheckOut(ifMatch: etag), shopper.CheckOut(ifMatch: etag));
        var first = await CartClient.Read<CartClient.Checkout>(clicks[0], HttpStatusCode.Accepted);
        var second = await CartClient.Read<CartClient.Checkout>(clicks[1], HttpStatusCode.Accepted);
        Assert.Equal((first.OrderId, first.CartId, first.Total), (second.OrderId, second.CartId, second.Total));
        Assert.Equal(first.Lines, second.Lines);
        Assert.Equal(cart.Id, first.CartId);
        Assert.Equal(1, await CheckedOutCarts(shopper));
    }

    [Fact]
    public async Task A_double_click_without_key_or_If_Match_still_makes_one_order()
    {
        var product = await fixture.CreateProduct(7m);
        using var shopper = fixture.NewCustomer();
        await shopper.AddOk(product.Id, 3);

        // Overlapping clicks: the loser's retry recognises the winner's checkout of the cart it read and answers it. A click
        // arriving after the first one finished cannot be told from "check out my (now empty) cart": 409.
        var clicks = await Task.WhenAll(shopper.CheckOut(), shopper.CheckOut());
        var orders = new HashSet<Guid>();
        foreach (var click in clicks)
        {
            if (click.StatusCode == HttpStatusCode.Accepted)
                orders.Add((await CartClient.Read<CartClient.Checkout>(click, HttpStatusCode.Accepted)).OrderId);
            else
                await CartClient.Problem(click, HttpStatusCode.Conflict);
        }
        Assert.Single(orders);
        Assert.Equal(1, await CheckedOutCarts(shopper));

        await CartClient.Problem(await shopper.CheckOut(), HttpStatusCode.Conflict);
        Assert.Equal(1, await CheckedOutCarts(shopper));
    }

    [Fact]
    public async Task A_repeated_Idempotency_Key_replays_the_first_answer_and_orders_once()
    {
        var product = await fixture.CreateProduct(7m);
        using var shopper = fixture.NewCustomer();
        await shopper.AddOk(product.Id, 1);
        var key = Guid.NewGuid().ToString();

        var concurrent = await Task.WhenAll(shopper.CheckOut(idempotencyKey: key), shopper.CheckOut(idempotencyKey: key));
        var first = await CartClient.Read<CartClient.Checkout>(concurrent[0], HttpStatusCode.Accepted);
        var second = await CartClient.Read<CartClient.Checkout>(concurrent[1], HttpStatusCode.Accepted);
        Assert.Equal(first.OrderId, second.OrderId);

        // The customer fills a new cart; a retry with the old key still answers the old order and leaves the new cart alone.
        var newCart = await shopper.AddOk(product.Id, 2);
        using (var retry = await shopper.CheckOut(idempotencyKey: key))
        {
            Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
            Assert.Equal(first.OrderId, (await CartClient.Read<CartClient.Checkout>(retry, HttpStatusCode.Accepted)).OrderId);
        }
        Assert.Equal(newCart.Version, (await shopper.Get()).Version);
        Assert.Equal(1, await CheckedOutCarts(shopper));

        await CartClient.Problem(await shopper.CheckOut("pm_card_chargeDeclined", key), HttpStatusCode.UnprocessableEntity);
        await CartClient.Problem(await shopper.CheckOut(idempotencyKey: new string('k', 201)), HttpStatusCode.BadRequest);

        var another = await shopper.CheckOutOk(idempotencyKey: Guid.NewGuid().ToString());
        Assert.NotEqual(first.OrderId, another.OrderId);
        Assert.Equal(newCart.Id, another.CartId);
        Assert.Equal(2, await CheckedOutCarts(shopper));
    }

    [Fact]
    public async Task Checking_out_the_same_If_Match_version_twice_replays_the_order()
    {
        var product = await fixture.CreateProduct(7m);
        using var shopper = fixture.NewCustomer();
        var cart = await shopper.AddOk(product.Id, 1);
        var etag = $"\"{cart.Id:N}.{cart.Version}\"";

        var first = await CartClient.Read<CartClient.Checkout>(await shopper.CheckOut(ifMatch: etag), HttpStatusCode.Accepted);
        using var again = await shopper.CheckOut(ifMatch: etag);
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(first.OrderId, (await CartClient.Read<CartClient.Checkout>(again, HttpStatusCode.Accepted)).OrderId);
        Assert.Equal(1, await CheckedOutCarts(shopper));
    }

    [Fact]
    public async Task Checkout_charges_todays_prices_and_flags_the_lines_whose_price_changed()
    {
        var (dearer, cheaper, same) = (await fixture.CreateProduct(10m), await fixture.CreateProduct(20m), await fixture.CreateProduct(5m));
        using var shopper = fixture.NewCustomer();
        await shopper.AddOk(dearer.Id, 1);
        await shopper.AddOk(cheaper.Id, 2);
        await shopper.AddOk(same.Id, 3);

        await fixture.UpdateProduct(dearer, 12m, active: true);
        await fixture.UpdateProduct(cheaper, 18m, active: true);
        await fixture.WaitForReplica(dearer.Id, p => p.Price == 12m);
        await fixture.WaitForReplica(cheaper.Id, p => p.Price == 18m);

        var cart = await shopper.Get();
        Assert.True(cart.Line(dearer.Id).PriceChanged);
        Assert.Equal((12m, 10m), (cart.Line(dearer.Id).UnitPrice, cart.Line(dearer.Id).PriceWhenAdded));
        Assert.False(cart.Line(same.Id).PriceChanged);

        var checkout = await shopper.CheckOutOk();
        Assert.True(checkout.PricesChanged);
        var lines = checkout.Lines.ToDictionary(l => l.ProductId);
        Assert.Equal((12m, 10m, true), (lines[dearer.Id].UnitPrice, lines[dearer.Id].PriceWhenAdded, lines[dearer.Id].PriceChanged));
        Assert.Equal((18m, 20m, true), (lines[cheaper.Id].UnitPrice, lines[cheaper.Id].PriceWhenAdded, lines[cheaper.Id].PriceChanged));
        Assert.Equal((5m, 5m, false), (lines[same.Id].UnitPrice, lines[same.Id].PriceWhenAdded, lines[same.Id].PriceChanged));
        Assert.Equal(12m + 2 * 18m + 3 * 5m, checkout.Total);
    }

    [Fact]
    public async Task A_cart_with_a_product_no_longer_sold_cannot_be_checked_out_until_it_is_removed()
    {
        var (kept, retired) = (await fixture.CreateProduct(3m), await fixture.CreateProduct(4m));
        using var shopper = fixture.NewCustomer();
        await shopper.AddOk(kept.Id, 1);
        await shopper.AddOk(retired.Id, 1);
        await fixture.UpdateProduct(retired, 4m, active: false);
        await fixture.WaitForReplica(retired.Id, p => !p.Active);

        Assert.False((await shopper.Get()).Line(retired.Id).Available);
        await CartClient.Problem(await shopper.SetQuantity(retired.Id, 2), HttpStatusCode.UnprocessableEntity);
        await CartClient.Problem(await shopper.CheckOut(), HttpStatusCode.UnprocessableEntity);
        Assert.Equal(0, await CheckedOutCarts(shopper));

        await CartClient.Read<CartClient.Cart>(await shopper.Remove(retired.Id));
        Assert.Equal(3m, (await shopper.CheckOutOk()).Total);
    }

    async Task<int> CheckedOutCarts(CartClient shopper)
    {
        await using var session = fixture.Store.QuerySession();
        return await session.Query<Cart>().CountAsync(c => c.CustomerId == shopper.UserId && c.Status == CartStatus.CheckedOut);
    }
}
