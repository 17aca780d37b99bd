using System.Net;
using Xunit;

namespace Shop.CartService.Tests.Carts.Abandoning;

/// <summary>A cart service whose carts count as abandoned after a few idle seconds, swept every second.</summary>
public sealed class AbandonedCartsFixture : CartServiceFixture
{
    public static readonly TimeSpan IdleTime = TimeSpan.FromSeconds(4);

    protected override Dictionary<string, string> CartSettings => new()
    {
        ["Cart:AbandonedAfter"] = IdleTime.ToString(),
        ["Cart:AbandonedSweepInterval"] = "00:00:01",
    };
}

[CollectionDefinition(Name)]
public sealed class AbandonedCartsCollection : ICollectionFixture<AbandonedCartsFixture>
{
    public const string Name = "abandoned-carts";
}

[Collection(AbandonedCartsCollection.Name)]
public sealed class AbandonedCartTests(AbandonedCartsFixture fixture)
{
    [Fact]
    public async Task The_scheduled_job_marks_idle_carts_abandoned_on_their_stream_and_admins_see_them()
    {
        var product = await fixture.CreateProduct(15m);
        using var idle = fixture.NewCustomer();
        var cart = await idle.AddOk(product.Id, 2);
        using var emptied = fixture.NewCustomer();
        await emptied.AddOk(product.Id, 1);
        await CartClient.Read<CartClient.Cart>(await emptied.Remove(product.Id));

        using var admin = fixture.Admin();
        var listed = await WaitUntilListed(admin, cart.Id!.Value);
        Assert.Equal((idle.UserId, 1, 2, 30m, "EUR"), (listed.CustomerId, listed.Lines, listed.Units, listed.Total, listed.Currency));
        Assert.True(listed.AbandonedAt - listed.LastActivityAt >= AbandonedCartsFixture.IdleTime,
            $"marked after {listed.AbandonedAt - listed.LastActivityAt} of idleness");

        var seen = await idle.Get();
        Assert.Equal(("Abandoned", cart.Id), (seen.Status, seen.Id));
        Assert.NotNull(seen.AbandonedAt);
        var history = await idle.GetHistory();
        Assert.Equal("CartAbandoned", history.Events[^1].Type);
        Assert.Equal(1, history.Events.Count(e => e.Type == "CartAbandoned")); // marked once, not at every sweep

        // An empty cart is not an abandoned cart; customers cannot see the admin list.
        Assert.Equal("Open", (await emptied.Get()).Status);
        var page = await CartClient.Read<CartClient.AbandonedPage>(await admin.Http.GetAsync("api/cart/abandoned?pageSize=200"));
        Assert.DoesNotContain(page.Items, c => c.CustomerId == emptied.UserId);
        using (var forbidden = await idle.Http.GetAsync("api/cart/abandoned"))
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);

        // The customer comes back: the same cart is open again and leaves the list.
        var back = await idle.AddOk(product.Id, 1);
        Assert.Equal(("Open", cart.Id, 3), (back.Status, back.Id, back.Line(product.Id).Quantity));
        page = await CartClient.Read<CartClient.AbandonedPage>(await admin.Http.GetAsync("api/cart/abandoned?pageSize=200"));
        Assert.DoesNotContain(page.Items, c => c.CartId == cart.Id);
    }

    static async Task<CartClient.Abandoned> WaitUntilListed(CartClient admin, Guid cartId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            var page = await CartClient.Read<CartClient.AbandonedPage>(await admin.Http.GetAsync("api/cart/abandoned?pageSize=200"));
            if (page.Items.FirstOrDefault(c => c.CartId == cartId) is { } listed)
                return listed;
            await Task.Delay(250);
        }
        throw new TimeoutException($"Cart {cartId} was not marked abandoned");
    }
}
