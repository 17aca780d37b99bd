using System.Net;
using Shop.Testing;
using Xunit;

namespace Shop.Gateway.Tests.Perimeter;

/// <summary>Security headers on everything the gateway answers, and CORS for the configured web app origin only.</summary>
[Collection(GatewayCollection.Name)]
public sealed class HeadersTests(GatewayFixture fixture)
{
    readonly ShopCluster _cluster = fixture.Cluster;

    [Theory]
    [InlineData("api/products")]      // proxied to a service
    [InlineData("api/docs")]          // the gateway's own
    [InlineData("api/orders")]        // a 401 of a service
    [InlineData("api/auth/me")]       // a 401 of the gateway
    public async Task Every_answer_carries_the_security_headers_and_no_server_banner(string path)
    {
        using var api = Visitors.New(_cluster);
        using var response = await api.Http.GetAsync(path);
        Assert.True((int)response.StatusCode < 500, $"{path} answered {(int)response.StatusCode}");

        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
        Assert.Equal("no-referrer", Header(response, "Referrer-Policy"));
        Assert.Contains("frame-ancestors 'none'", Header(response, "Content-Security-Policy"));
        Assert.Contains("default-src 'self'", Header(response, "Content-Security-Policy"));
        Assert.False(response.Headers.Contains("Server"), "the Server header names the software behind the door");
    }

    [Fact]
    public async Task Token_answers_are_never_cached()
    {
        var email = await Visitors.RegisterCustomer(_cluster);
        using var api = Visitors.New(_cluster);
        using var response = await api.TryLogin(email, Visitors.Password);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore, "a response carrying tokens must be Cache-Control: no-store");
    }

    [Fact]
    public async Task The_catalog_keeps_its_validators_and_freshness_through_the_gateway_and_private_reads_stay_private()
    {
        using var visitor = Visitors.New(_cluster);
        await Visitors.WaitForCatalog(visitor);
        using var page = await visitor.Http.GetAsync("api/products?pageSize=5");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.True(page.Headers.CacheControl is { Public: true, SharedMaxAge: not null }, $"Cache-Control: {page.Headers.CacheControl}");
        var etag = page.Headers.ETag ?? throw new Xunit.Sdk.XunitException("the catalog page has no ETag");

        using var revalidate = new HttpRequestMessage(HttpMethod.Get, "api/products?pageSize=5");
        revalidate.Headers.IfNoneMatch.Add(etag);
        using var notModified = await visitor.Http.SendAsync(revalidate);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(etag, notModified.Headers.ETag);

        using var shopper = Visitors.New(_cluster);
        await shopper.Login(await Visitors.RegisterCustomer(_cluster), Visitors.Password);
        using var cart = await shopper.Http.GetAsync("api/cart");
        Assert.Equal(HttpStatusCode.OK, cart.StatusCode);
        Assert.True(cart.Headers.CacheControl is { Private: true, Public: false }, $"the cart's Cache-Control: {cart.Headers.CacheControl}");
    }

    [Fact]
    public async Task Private_answers_are_never_stored_in_a_cache()
    {
        var email = await Visitors.RegisterCustomer(_cluster);
        using var api = Visitors.New(_cluster);
        await api.Login(email, Visitors.Password);
        var product = (await Visitors.WaitForCatalog(api)).Items.First(p => p.Available > 0);
        await api.AddToCart(product.Id, 1);
        var orderId = await api.Checkout("pm_card_visa");
        await api.WaitForOrder(orderId, TimeSpan.FromSeconds(120), "Completed", "Confirmed", "Failed");

        // Everything a signed-in customer reads through the gateway: the gateway's own answers and every service's.
        foreach (var path in new[] { "api/auth/me", "api/cart", "api/cart/history", "api/orders", $"api/orders/{orderId}", $"api/payments/{orderId}",
                     "api/notifications", $"api/notifications/orders/{orderId}", $"api/orders/{Guid.NewGuid()}" })
        {
            using var response = await api.Http.GetAsync(path);
            Assert.True((int)response.StatusCode < 500, $"{path} answered {(int)response.StatusCode}");
            Assert.True(response.Headers.CacheControl?.NoStore == true,
                $"{path} ({(int)response.StatusCode}) answered Cache-Control: {response.Headers.CacheControl?.ToString() ?? "(none)"}");
        }
    }

    [Fact]
    public async Task CORS_admits_the_web_apps_origin_and_no_other()
    {
        using var api = Visitors.New(_cluster);

        using (var preflight = await api.Http.SendAsync(Preflight(GatewayFixture.WebOrigin)))
        {
            Assert.True(preflight.IsSuccessStatusCode, $"preflight answered {(int)preflight.StatusCode}");
            Assert.Equal(GatewayFixture.WebOrigin, Header(preflight, "Access-Control-Allow-Origin"));
            Assert.Contains("POST", Header(preflight, "Access-Control-Allow-Methods"));
            Assert.Contains("authorization", Header(preflight, "Access-Control-Allow-Headers").ToLowerInvariant());
            Assert.False(preflight.Headers.Contains("Access-Control-Allow-Credentials"));
        }
        using (var foreign = await api.Http.SendAsync(Preflight("https://evil.example")))
            Assert.False(foreign.Headers.Contains("Access-Control-Allow-Origin"), "a foreign origin must not be allowed");

        using var request = new HttpRequestMessage(HttpMethod.Get, "api/products");
        request.Headers.Add("Origin", GatewayFixture.WebOrigin);
        using var simple = await api.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, simple.StatusCode);
        Assert.Equal(GatewayFixture.WebOrigin, Header(simple, "Access-Control-Allow-Origin"));
    }

    static HttpRequestMessage Preflight(string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "api/cart/items");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
        return request;
    }

    static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(",", values)
            : throw new Xunit.Sdk.XunitException($"{response.RequestMessage?.RequestUri} has no {name} header");
}
