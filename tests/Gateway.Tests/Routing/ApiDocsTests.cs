using System.Text.Json;
using Shop.Testing;
using Xunit;

namespace Shop.Gateway.Tests.Routing;

/// <summary>The OpenAPI document of every service, and the gateway's own, reachable through the gateway.</summary>
[Collection(GatewayCollection.Name)]
public sealed class ApiDocsTests(GatewayFixture fixture)
{
    readonly ShopCluster _cluster = fixture.Cluster;

    record DocumentLink(string Name, string Url);

    [Fact]
    public async Task Every_services_OpenAPI_document_is_served_through_the_gateway()
    {
        using var api = Visitors.New(_cluster);
        var links = (await api.Get<List<DocumentLink>>("api/docs"))!;
        Assert.Equal(["gateway", "inventory", "cart", "orders", "payments", "notifications"], links.Select(l => l.Name));

        var expectedPath = new Dictionary<string, string>
        {
            ["gateway"] = "/api/auth/login",
            ["inventory"] = "/api/products",
            ["cart"] = "/api/cart/items",
            ["orders"] = "/api/orders/{id}",
            ["payments"] = "/api/payments/{orderId}",
            ["notifications"] = "/api/notifications",
        };
        foreach (var link in links)
        {
            // A client's Host header is never echoed into the document (it names the configured public URL or nothing).
            using var request = new HttpRequestMessage(HttpMethod.Get, link.Url.TrimStart('/'));
            request.Headers.Host = "evil.example";
            using var response = await api.Http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"{link.Url} answered {(int)response.StatusCode}: {body}");
            Assert.DoesNotContain("evil.example", body);
            using var document = JsonDocument.Parse(body);
            Assert.StartsWith("3.", document.RootElement.GetProperty("openapi").GetString());
            var paths = document.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
            Assert.Contains(expectedPath[link.Name], paths);

            // The documents point at the gateway's configured public URL, never at a service's private address.
            var servers = document.RootElement.GetProperty("servers").EnumerateArray().Select(s => s.GetProperty("url").GetString()).ToList();
            Assert.Equal([_cluster.GatewayAddress.ToString().TrimEnd('/')], servers);
        }
    }
}
