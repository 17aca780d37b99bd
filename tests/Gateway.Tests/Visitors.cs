using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shop.Testing;
using Xunit;

namespace Shop.Gateway.Tests;

/// <summary>Test clients, each from its own client address, and the assertions every gateway test shares.</summary>
public static class Visitors
{
    static int _next = Random.Shared.Next(1 << 20);

    /// <summary>A fresh address in 10.0.0.0/8 (unique within the run).</summary>
    public static string NewAddress()
    {
        var n = Interlocked.Increment(ref _next);
        return $"10.{(n >> 16) & 0xFF}.{(n >> 8) & 0xFF}.{n & 0xFF}";
    }

    /// <summary>A client of one gateway instance, coming from <paramref name="address"/> (a new one unless given).</summary>
    public static ShopApi New(ShopCluster cluster, string? address = null, int gateway = 0)
    {
        var api = new ShopApi(cluster.Instances("gateway")[gateway].BaseAddress, cluster.Mail);
        api.Http.DefaultRequestHeaders.Add("X-Forwarded-For", address ?? NewAddress());
        return api;
    }

    public static string NewEmail(string prefix = "customer") => $"{prefix}-{Guid.NewGuid():N}@shop.test";

    public const string Password = "a long enough password";

    /// <summary>Registers a customer (from a fresh address), verifies it from the email and returns its email.</summary>
    public static async Task<string> RegisterCustomer(ShopCluster cluster, string? email = null)
    {
        email ??= NewEmail();
        using var api = New(cluster);
        await api.RegisterVerified(email, Password, "Test Customer");
        return email;
    }

    public static Task<HttpResponseMessage> TryLogin(this ShopApi api, string email, string password) =>
        api.Http.PostAsJsonAsync("api/auth/login", new { email, password });

    public static Task<HttpResponseMessage> Refresh(this ShopApi api, string refreshToken) =>
        api.Http.PostAsJsonAsync("api/auth/refresh", new { refreshToken });

    /// <summary>Asserts the status and that the body is a ProblemDetails for it; returns the parsed body.</summary>
    public static async Task<JsonElement> AssertProblem(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode} from {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(body);
        Assert.Equal((int)status, document.RootElement.GetProperty("status").GetInt32());
        return document.RootElement.Clone();
    }

    /// <summary>The Retry-After of a 429, in seconds; asserts it is there and positive.</summary>
    public static int RetryAfterSeconds(HttpResponseMessage response)
    {
        var delta = response.Headers.RetryAfter?.Delta;
        Assert.True(delta is not null, "a 429 must carry Retry-After in seconds");
        Assert.True(delta.Value > TimeSpan.Zero, $"Retry-After {delta} must be positive");
        return (int)delta.Value.TotalSeconds;
    }

    public static async Task<ShopApi.ProductPage> WaitForCatalog(ShopApi api)
    {
        for (var attempt = 0; attempt < 150; attempt++)
        {
            var page = await api.Products("?pageSize=50&sort=price");
            if (page.Total >= 12)
                return page;
            await Task.Delay(200);
        }
        throw new TimeoutException("The demo catalog did not appear within 30 s.");
    }
}
