using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using Npgsql;
using Shop.Testing;
using Xunit;

namespace Shop.Gateway.Tests.Perimeter;

/// <summary>
/// What the live attack turned into 500s: NUL bytes in any string (PostgreSQL refuses them), paging and durations that
/// overflow, unknown methods. Each now gets a 4xx ProblemDetails from the gateway or the service it reaches, and changes
/// nothing.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class InputHygieneTests(GatewayFixture fixture)
{
    readonly ShopCluster _cluster = fixture.Cluster;
    readonly IdentityData _data = new(fixture.Cluster);

    [Fact]
    public async Task A_NUL_in_register_and_login_fields_gets_400_and_creates_nothing()
    {
        var before = await _data.AccountsSnapshot();
        using var api = Visitors.New(_cluster);
        var email = Visitors.NewEmail();
        foreach (var body in new object[]
                 {
                     new { email = email.Replace("@", "\0@"), password = Visitors.Password, name = "Nul" },
                     new { email, password = Visitors.Password, name = "Nul\0Name" },
                     new { email, password = "a long\0enough password", name = "Nul" },
                 })
        {
            using var response = await api.Http.PostAsJsonAsync("api/auth/register", body);
            var problem = await Visitors.AssertProblem(response, HttpStatusCode.BadRequest);
            Assert.Contains("Control characters", problem.GetRawText());
        }
        using (var login = await api.Http.PostAsJsonAsync("api/auth/login", new { email = "admin\0@shop.test", password = "whatever it is" }))
            await Visitors.AssertProblem(login, HttpStatusCode.BadRequest);
        // Other control characters, and an unpaired surrogate (not encodable as UTF-8), escaped in the JSON.
        foreach (var json in new[]
                 {
                     $$"""{"email":"{{email}}","password":"a long enough password","name":"Bell\u0007"}""",
                     $$"""{"email":"{{email}}","password":"a long enough password","name":"C1\u009b"}""",
                     $$"""{"email":"{{email}}","password":"a long enough password","name":"half \ud800 a pair"}""",
                 })
        {
            using var response = await api.Http.PostAsync("api/auth/register", new StringContent(json, Encoding.UTF8, "application/json"));
            await Visitors.AssertProblem(response, HttpStatusCode.BadRequest);
        }
        Assert.Equal(before, await _data.AccountsSnapshot());
        Assert.Empty(await _cluster.Mail.EmailsToAsync(email));
    }

    [Theory]
    [InlineData("api/products?search=abc%00def")]
    [InlineData("api/products?category=x%00")]
    [InlineData("api/products?search=%01%02%03")]
    [InlineData("api/products?sort=name%0d%0aX-Injected:%201")]
    [InlineData("api/products/abc%01def")]
    public async Task A_control_character_in_the_query_or_path_gets_400_not_500(string path)
    {
        using var api = Visitors.New(_cluster);
        using var response = await api.Http.GetAsync(path);
        Assert.True((int)response.StatusCode is 400 or 404, $"{path} answered {(int)response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        // And straight at the service (every service filters too, not only the gateway).
        using var direct = new HttpClient { BaseAddress = _cluster.Service("inventory").BaseAddress };
        using var toService = await direct.GetAsync(path);
        Assert.True((int)toService.StatusCode is 400 or 404, $"{path} answered {(int)toService.StatusCode} at the service");
    }

    [Fact]
    public async Task An_encoded_NUL_in_the_path_is_refused_by_the_server_before_any_endpoint()
    {
        // Kestrel itself refuses a path with an encoded NUL (a bare 400, before any middleware could add a body).
        using var api = Visitors.New(_cluster);
        using var response = await api.Http.GetAsync("api/products/%00");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task A_NUL_in_checkout_fields_gets_400_and_the_cart_stays_as_it_was()
    {
        using var shopper = Visitors.New(_cluster);
        await shopper.Login(await Visitors.RegisterCustomer(_cluster), Visitors.Password);
        var product = (await Visitors.WaitForCatalog(shopper)).Items.First(p => p.Available > 0);
        await shopper.AddToCart(product.Id, 1);
        var cart = await shopper.GetCart();

        object Address(string name = "Ada", string line1 = "1 Main St", string city = "Berlin", string postalCode = "10115") =>
            new { name, line1, city, postalCode, country = "DE" };
        foreach (var body in new object[]
                 {
                     new { paymentMethod = "pm_card_visa\0" },
                     new { paymentMethod = "pm_card_visa", shippingAddress = Address(name: "A\0da") },
                     new { paymentMethod = "pm_card_visa", shippingAddress = Address(line1: "1 Main\0St") },
                     new { paymentMethod = "pm_card_visa", shippingAddress = Address(city: "Ber\0lin") },
                     new { paymentMethod = "pm_card_visa", shippingAddress = Address(postalCode: "101\u00005") },
                 })
        {
            using var response = await shopper.Http.PostAsJsonAsync("api/cart/checkout", body);
            await Visitors.AssertProblem(response, HttpStatusCode.BadRequest);
        }
        var after = await shopper.GetCart();
        Assert.Equal(cart.Id, after.Id);
        Assert.Equal(cart.Version, after.Version);
        Assert.Empty(await shopper.Get<List<ShopApi.Order>>("api/orders") ?? []);
    }

    [Theory]
    [InlineData("api/orders/all?page=2147483647&pageSize=100")]
    [InlineData("api/orders/all?page=0")]
    [InlineData("api/orders/all?page=99999999999")]
    [InlineData("api/notifications/all?page=2147483647&pageSize=200")]
    [InlineData("api/admin/orders/streams?type=order&page=2147483647&pageSize=200")]
    [InlineData("api/admin/inventory/streams?type=stock&page=2147483647&pageSize=200")]
    [InlineData("api/admin/cart/streams?type=cart&page=2147483647")]
    [InlineData("api/admin/orders/sagas/stuck?olderThan=10675199.02:48:05.4775807")]
    [InlineData("api/admin/orders/sagas/stuck?olderThan=-00:00:01")]
    [InlineData("api/admin/orders/sagas/stuck?olderThan=99999.00:00:00")]
    [InlineData("api/products?page=2147483647&pageSize=100")]
    [InlineData("api/cart/abandoned?page=2147483647&pageSize=200")]
    public async Task Paging_and_durations_out_of_range_get_400_not_500(string path)
    {
        using var admin = Visitors.New(_cluster);
        await admin.Login(_cluster.AdminEmail, _cluster.AdminPassword);
        using var response = await admin.Http.GetAsync(path);
        await Visitors.AssertProblem(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task The_last_allowed_page_is_answered_empty()
    {
        using var admin = Visitors.New(_cluster);
        await admin.Login(_cluster.AdminEmail, _cluster.AdminPassword);
        foreach (var path in new[] { "api/orders/all?page=100000&pageSize=100", "api/notifications/all?page=100000&pageSize=200", "api/admin/orders/streams?type=order&page=100000&pageSize=200" })
        {
            using var response = await admin.Http.GetAsync(path);
            await ShopApi.EnsureSuccess(response);
        }
    }

    [Theory]
    [InlineData("CONNECT", "/api/products")]
    [InlineData("TRACE", "/api/products")]
    [InlineData("PROPFIND", "/api/orders")]
    [InlineData("BREW", "/")]
    public async Task Unknown_methods_get_405_with_Allow_and_nothing_is_proxied(string method, string path)
    {
        var gateway = _cluster.Instances("gateway")[0];
        var logBefore = new FileInfo(gateway.LogPath).Length;
        var (status, head) = await RawRequest(gateway.BaseAddress, $"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        Assert.True(status == 405, $"{method} {path} answered {status}:\n{head}");
        Assert.Contains("allow: get, head, post, put, patch, delete, options", head.ToLowerInvariant());
        Assert.Contains("application/problem+json", head);
        // Nothing reached a service, and nothing was logged as an error.
        await Task.Delay(300);
        var logged = await ReadFrom(gateway.LogPath, logBefore);
        Assert.DoesNotContain("Exception", logged);
        Assert.DoesNotContain("fail:", logged);
    }

    static async Task<(int Status, string Head)> RawRequest(Uri address, string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(address.Host, address.Port);
        await using var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var head = text.Split("\r\n\r\n")[0];
        var status = int.Parse(head.Split(' ')[1]);
        return (status, text);
    }

    static async Task<string> ReadFrom(string path, long offset)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        stream.Seek(offset, SeekOrigin.Begin);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }
}
