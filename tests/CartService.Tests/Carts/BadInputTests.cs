using System.Net;
using Xunit;

namespace Shop.CartService.Tests.Carts;

/// <summary>Every malformed request gets a ProblemDetails 4xx and leaves the cart exactly as it was.</summary>
[Collection(CartCollection.Name)]
public sealed class BadInputTests(CartServiceFixture fixture)
{
    static readonly string LongId = new('7', 10_000);

    public static TheoryData<string, string, string> Requests(string productPlaceholder) => new()
    {
        // method, path, body
        { "POST", "api/cart/items", $$"""{"productId":"{{productPlaceholder}}","quantity":-1}""" },
        { "POST", "api/cart/items", $$"""{"productId":"{{productPlaceholder}}","quantity":0}""" },
        { "POST", "api/cart/items", $$"""{"productId":"{{productPlaceholder}}","quantity":100}""" },
        { "POST", "api/cart/items", $$"""{"productId":"{{productPlaceholder}}"}""" },
        { "POST", "api/cart/items", """{"quantity":1}""" },
        { "POST", "api/cart/items", "{}" },
        { "POST", "api/cart/items", "" },
        { "POST", "api/cart/items", "null" },
        { "POST", "api/cart/items", "[]" },
        { "POST", "api/cart/items", $$"""{"productId":"{{productPlaceholder}}","quantity":1""" },
        { "POST", "api/cart/items", "{not json" },
        { "POST", "api/cart/items", $$"""{"productId":"{{LongId}}","quantity":1}""" },
        { "POST", "api/cart/items", $$"""{"productId":"{{productPlaceholder}}","quantity":"one"}""" },
        { "POST", "api/cart/items", $$"""{"productId":"{{productPlaceholder}}","quantity":1e40}""" },
        { "POST", "api/cart/items", $$"""{"productId":"{{productPlaceholder}}","quantity":1.5}""" },
        { "POST", "api/cart/items", """{"productId":12345,"quantity":1}""" },
        { "PUT", "api/cart/items/{product}", """{"quantity":-3}""" },
        { "PUT", "api/cart/items/{product}", """{"quantity":100}""" },
        { "PUT", "api/cart/items/{product}", "{}" },
        { "PUT", "api/cart/items/{product}", "{\"quantity\":" },
        { "PUT", "api/cart/items/not-a-guid", """{"quantity":1}""" },
        { "DELETE", "api/cart/items/not-a-guid", "" },
        { "POST", "api/cart/checkout", "{}" },
        { "POST", "api/cart/checkout", """{"paymentMethod":""}""" },
        { "POST", "api/cart/checkout", $$"""{"paymentMethod":"{{new string('x', 10_000)}}"}""" },
        { "POST", "api/cart/checkout", """{"paymentMethod":"pm_card_visa","shippingAddress":{"name":"A"}}""" },
        { "POST", "api/cart/checkout", "{\"paymentMethod\":" },
        { "GET", "api/cart?atVersion=-1", "" },
    };

    public static TheoryData<string, string, string> All => Requests("{product}");

    [Theory]
    [MemberData(nameof(All))]
    public async Task Bad_input_gets_a_problem_details_4xx_and_changes_nothing(string method, string path, string body)
    {
        var product = await fixture.CreateProduct(2m);
        using var shopper = fixture.NewCustomer();
        var before = await shopper.AddOk(product.Id, 2);
        var events = await fixture.EventCount(shopper.UserId);

        var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{product}", product.Id.ToString()));
        if (method != "GET" && method != "DELETE")
            request.Content = new StringContent(body.Replace("{product}", product.Id.ToString()), System.Text.Encoding.UTF8, "application/json");
        using var response = await shopper.Http.SendAsync(request);

        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status is >= 400 and < 500, $"{method} {path} {body[..Math.Min(body.Length, 80)]} answered {status}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"status\":" + status, text);

        var after = await shopper.Get();
        Assert.Equal((before.Id, before.Version, before.Total), (after.Id, after.Version, after.Total));
        Assert.Equal(events, await fixture.EventCount(shopper.UserId));
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_refused()
    {
        using var shopper = fixture.NewCustomer();
        using var response = await shopper.PostRaw("api/cart/items", "productId=1&quantity=2", "application/x-www-form-urlencoded");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, await fixture.EventCount(shopper.UserId));
    }
}
