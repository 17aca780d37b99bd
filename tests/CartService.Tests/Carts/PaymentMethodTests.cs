using System.Net;
using JasperFx.Events;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Shop.BuildingBlocks.Payments;
using Shop.BuildingBlocks.Security;
using Shop.CartService.Carts;
using Shop.CartService.Carts.CheckingOut;
using Shop.Contracts;
using Shop.Testing;
using Xunit;

namespace Shop.CartService.Tests.Carts;

/// <summary>
/// Payment methods are tokens or nothing: card data typed into the field is refused before anything stores it, and card
/// data stored before that rule is masked in place (events and the cart snapshot). Checkout also needs a verified email.
/// </summary>
[Collection(CartCollection.Name)]
public sealed class PaymentMethodTests(CartServiceFixture fixture)
{
    const string CardText = "4111 1111 1111 1111 12/29 123";

    [Theory]
    [InlineData(CardText)]
    [InlineData("4111111111111111")]
    [InlineData("pm_4111111111111111")]         // a "token" hiding a Luhn-valid card number
    [InlineData("card 4111-1111-1111-1111")]
    [InlineData("tok visa")]
    [InlineData("PM_CARD_VISA")]
    [InlineData("pm_card_visa 12/29 123")]
    [InlineData("pm_")]
    public async Task Anything_but_a_token_is_refused_with_422_before_it_is_stored_anywhere(string paymentMethod)
    {
        var product = await fixture.CreateProduct(12m);
        using var shopper = fixture.NewCustomer();
        var cart = await shopper.AddOk(product.Id, 1);
        var events = await fixture.EventCount(shopper.UserId);

        var problem = await CartClient.Problem(await shopper.CheckOut(paymentMethod), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("payment method token", problem.GetProperty("detail").GetString());

        var after = await shopper.Get();
        Assert.Equal((cart.Id, cart.Version, "Open"), (after.Id, after.Version, after.Status));
        Assert.Equal(events, await fixture.EventCount(shopper.UserId));
        if (paymentMethod.Length > 3) // "pm_" is the prefix of every stored token
            Assert.Equal(0, await RowsContaining(paymentMethod));
        // The same cart checks out with a token.
        await shopper.CheckOutOk("pm_card_visa");
    }

    [Theory]
    [InlineData("pm_card_visa")]
    [InlineData("pm_1Nv0FGQ9RKHgCVdKqRPQ1ZCm")]
    [InlineData("tok_visa")]
    [InlineData("card_1Nv0FGQ9RKHgCVdK")]
    [InlineData("src_1Nv0FGQ9RKHgCVdK")]
    public async Task Provider_tokens_check_out(string paymentMethod)
    {
        var product = await fixture.CreateProduct(3m);
        using var shopper = fixture.NewCustomer();
        await shopper.AddOk(product.Id, 1);
        await shopper.CheckOutOk(paymentMethod);
    }

    [Fact]
    public async Task An_account_whose_email_is_not_verified_cannot_check_out()
    {
        var product = await fixture.CreateProduct(8m);
        var userId = Guid.NewGuid();
        using var http = fixture.Cart.CreateClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer",
            TestTokens.Create(fixture.SigningKey, userId, $"{userId:N}@shop.test", emailVerified: false, ShopRoles.Customer));
        using var shopper = new CartClient(http, userId);
        var cart = await shopper.AddOk(product.Id, 2);

        var problem = await CartClient.Problem(await shopper.CheckOut(), HttpStatusCode.Forbidden);
        Assert.Contains("Verify your email", problem.GetProperty("title").GetString());
        var after = await shopper.Get();
        Assert.Equal((cart.Id, cart.Version, "Open"), (after.Id, after.Version, after.Status));
    }

    [Fact]
    public async Task Card_text_stored_before_the_rule_is_masked_in_the_events_and_the_cart_snapshot_and_tokens_are_left_alone()
    {
        var product = await fixture.CreateProduct(20m);
        // Two carts checked out the way the old code did it: one with card text, one with a token.
        var leaked = await LegacyCheckout(product, CardText);
        var fine = await LegacyCheckout(product, "pm_card_visa");
        Assert.True(await RowsContaining("4111 1111") > 0, "the legacy card text should be stored before the masking");

        var job = fixture.Cart.Services.GetRequiredService<PaymentMethodMaskingJob<CheckedOut>>();
        var result = await job.MaskAsync(CancellationToken.None);
        Assert.Equal(1, result.EventsMasked);

        Assert.Equal(0, await RowsContaining("4111 1111"));
        await using var session = fixture.Store.QuerySession();
        var masked = (await session.Events.FetchStreamAsync(leaked)).Single(e => e.Data is CheckedOut);
        Assert.Equal(PaymentMethodTokens.Masked, ((CheckedOut)masked.Data).PaymentMethod);
        Assert.True(masked.Headers?.TryGetValue(PaymentMethodMasking.MaskedHeader, out var header) == true && header?.ToString() == "payment-method",
            "the masked event carries the masked header");
        Assert.Equal(PaymentMethodTokens.Masked, (await session.LoadAsync<Cart>(leaked))!.Checkout!.PaymentMethod);
        // The event keeps its place in the stream: same version, same sequence.
        Assert.Equal(3, masked.Version);

        var untouched = (await session.Events.FetchStreamAsync(fine)).Single(e => e.Data is CheckedOut);
        Assert.Equal("pm_card_visa", ((CheckedOut)untouched.Data).PaymentMethod);
        Assert.Null(untouched.Headers?.GetValueOrDefault(PaymentMethodMasking.MaskedHeader));
        Assert.Equal("pm_card_visa", (await session.LoadAsync<Cart>(fine))!.Checkout!.PaymentMethod);

        // From its checkpoint: a second run reads nothing it has seen.
        Assert.Equal(0, (await job.MaskAsync(CancellationToken.None)).EventsRead);
    }

    /// <summary>A cart checked out as the code before the token rule did: the CheckedOut event appended as the request gave it.</summary>
    async Task<Guid> LegacyCheckout(CartServiceFixture.Product product, string paymentMethod)
    {
        using var shopper = fixture.NewCustomer();
        var cart = await shopper.AddOk(product.Id, 1);
        await using var session = fixture.Store.LightweightSession();
        var lines = new List<OrderLine> { new(product.Id, product.Sku, product.Name, product.Price, 1) };
        session.Events.Append(cart.Id!.Value, new CheckedOut(Guid.CreateVersion7(), lines, product.Price, product.Currency, paymentMethod, DateTimeOffset.UtcNow));
        session.Delete<ActiveCart>(shopper.UserId);
        await session.SaveChangesAsync();
        return cart.Id.Value;
    }

    /// <summary>Rows of any table of the cart schema (events, snapshots, outbox, idempotency records...) whose text holds the value.</summary>
    async Task<long> RowsContaining(string text)
    {
        var connectionString = fixture.Cart.Services.GetRequiredService<IConfiguration>()["ConnectionStrings:Postgres"];
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("select table_name from information_schema.tables where table_schema = 'cart' and table_type = 'BASE TABLE'", connection))
        await using (var reader = await list.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                tables.Add(reader.GetString(0));
        long rows = 0;
        foreach (var table in tables)
        {
            await using var count = new NpgsqlCommand($"select count(*) from cart.\"{table}\" t where t::text like '%' || @text || '%'", connection);
            count.Parameters.AddWithValue("text", text);
            rows += (long)(await count.ExecuteScalarAsync())!;
        }
        return rows;
    }
}
