using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text;
using Shop.Testing;
using Xunit;

namespace Shop.Gateway.Tests.Perimeter;

/// <summary>Oversized and malformed bodies get a ProblemDetails 413 / 400, at the gateway and in the services, and change nothing.</summary>
[Collection(GatewayCollection.Name)]
public sealed class RequestBodyTests(GatewayFixture fixture)
{
    const int TwoMegabytes = 2 * 1024 * 1024;
    readonly ShopCluster _cluster = fixture.Cluster;
    readonly IdentityData _data = new(fixture.Cluster);

    [Fact]
    public async Task A_2MB_body_gets_413_at_the_gateway_and_in_the_services_and_changes_nothing()
    {
        using var shopper = Visitors.New(_cluster);
        await shopper.Login(await Visitors.RegisterCustomer(_cluster), Visitors.Password);
        var product = (await Visitors.WaitForCatalog(shopper)).Items[0];

        // The gateway's own endpoint.
        var email = Visitors.NewEmail();
        using var uploader = Uploader(shopper.Http);
        using (var register = await PostDeclared(uploader, "api/auth/register", new { email, password = Visitors.Password, name = Padding() }))
            await AssertTooLarge(register);
        Assert.Equal(0, await _data.AccountsWithEmail(email));

        // A route to a service: refused at the gateway, declared length or chunked.
        using (var declared = await PostDeclared(uploader, "api/cart/items", new { productId = product.Id, quantity = 1, note = Padding() }))
            await AssertTooLarge(declared);
        using (var chunked = await shopper.Http.PostAsync("api/cart/items", Chunked(new { productId = product.Id, quantity = 1, note = Padding() })))
            await AssertTooLarge(chunked);

        // A service reached directly (defence in depth: the limit is not only the gateway's).
        using var direct = Uploader(shopper.Http, _cluster.Service("cart").BaseAddress);
        using (var toService = await PostDeclared(direct, "api/cart/items", new { productId = product.Id, quantity = 1, note = Padding() }))
            await AssertTooLarge(toService);
        using (var chunkedToService = await direct.PostAsync("api/cart/items", Chunked(new { productId = product.Id, quantity = 1, note = Padding() })))
            await AssertTooLarge(chunkedToService);

        Assert.Empty((await shopper.GetCart()).Items);
    }

    [Fact]
    public async Task Malformed_JSON_gets_a_400_ProblemDetails_and_changes_nothing()
    {
        using var shopper = Visitors.New(_cluster);
        await shopper.Login(await Visitors.RegisterCustomer(_cluster), Visitors.Password);

        foreach (var path in new[] { "api/auth/register", "api/auth/login", "api/auth/refresh", "api/auth/logout", "api/cart/items", "api/cart/checkout" })
        {
            using var response = await shopper.Http.PostAsync(path, new StringContent("{\"email\": \"x@shop.test\", not json", Encoding.UTF8, "application/json"));
            await Visitors.AssertProblem(response, HttpStatusCode.BadRequest);
        }
        using (var wrongShape = await shopper.Http.PostAsync("api/cart/items", new StringContent("""{"productId": "not-a-guid", "quantity": "many"}""", Encoding.UTF8, "application/json")))
            await Visitors.AssertProblem(wrongShape, HttpStatusCode.BadRequest);

        Assert.Equal(0, await _data.AccountsWithEmail("x@shop.test"));
        Assert.Empty((await shopper.GetCart()).Items);
    }

    static async Task AssertTooLarge(HttpResponseMessage response)
    {
        var problem = await Visitors.AssertProblem(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
    }

    static string Padding() => new('x', TwoMegabytes);

    /// <summary>
    /// A client for big uploads: it sends "Expect: 100-continue" and waits for the server's go-ahead, as curl does for
    /// large bodies. A server that refuses by the declared length answers 413 and closes; without the wait the client
    /// may still be writing the body and see only a reset connection instead of the answer (it happened in CI).
    /// </summary>
    static HttpClient Uploader(HttpClient like, Uri? baseAddress = null)
    {
        var client = new HttpClient(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromSeconds(30) })
        {
            BaseAddress = baseAddress ?? like.BaseAddress,
        };
        foreach (var (name, values) in like.DefaultRequestHeaders) // the bearer token, the visitor's address
            client.DefaultRequestHeaders.TryAddWithoutValidation(name, values);
        client.DefaultRequestHeaders.ExpectContinue = true;
        return client;
    }

    /// <summary>A body with its Content-Length declared up front.</summary>
    static Task<HttpResponseMessage> PostDeclared(HttpClient client, string path, object body) =>
        client.PostAsync(path, new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"));

    /// <summary>The same body without a Content-Length: the limit must hold while it streams in.</summary>
    static HttpContent Chunked(object body)
    {
        var chunked = new StreamContent(new NoLengthStream(JsonSerializer.SerializeToUtf8Bytes(body)));
        chunked.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return chunked;
    }

    /// <summary>A stream that hides its length, so HttpClient sends it with Transfer-Encoding: chunked.</summary>
    sealed class NoLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
