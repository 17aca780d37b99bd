using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Shop.Testing;

/// <summary>A client of the public API, as the web app uses it: everything goes through the gateway.</summary>
public sealed class ShopApi(Uri gateway) : IDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public HttpClient Http { get; } = new() { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(30) };

    public record Tokens(string AccessToken, string RefreshToken, int ExpiresIn);
    public record Product(Guid Id, string Sku, string Name, string Description, decimal Price, string Currency, string Category, bool Active, int Available);
    public record ProductPage(List<Product> Items, long Total, int Page, int PageSize);
    public record CartItem(Guid ProductId, string Name, decimal UnitPrice, int Quantity, decimal LineTotal, bool PriceChanged);
    public record Cart(Guid? Id, List<CartItem> Items, decimal Total, string Currency, long Version);
    public record CheckoutResult(Guid OrderId);
    public record TimelineEntry(string Status, DateTimeOffset At, string? Detail);
    public record Order(Guid OrderId, string Status, string? FailureReason, decimal Total, string Currency, List<TimelineEntry> Timeline);
    public record Payment(Guid OrderId, string Status, decimal Amount, decimal Refunded, string? PaymentId);
    public record Stock(Guid ProductId, int OnHand, int Reserved, int Available, int Sold);

    public void UseToken(string? accessToken) =>
        Http.DefaultRequestHeaders.Authorization = accessToken is null ? null : new AuthenticationHeaderValue("Bearer", accessToken);

    public async Task<HttpResponseMessage> Register(string email, string password, string name) =>
        await Http.PostAsJsonAsync("api/auth/register", new { email, password, name }, Json);

    public async Task<Tokens> Login(string email, string password)
    {
        using var response = await Http.PostAsJsonAsync("api/auth/login", new { email, password }, Json);
        await EnsureSuccess(response);
        var tokens = (await response.Content.ReadFromJsonAsync<Tokens>(Json))!;
        UseToken(tokens.AccessToken);
        return tokens;
    }

    /// <summary>Registers a new customer with a unique email and logs in as them.</summary>
    public async Task<string> SignUpCustomer(string name = "Test Customer")
    {
        var email = $"customer-{Guid.NewGuid():N}@shop.test";
        const string password = "a long enough password";
        using var registered = await Register(email, password, name);
        await EnsureSuccess(registered);
        await Login(email, password);
        return email;
    }

    public async Task<ProductPage> Products(string query = "") => (await Get<ProductPage>($"api/products{query}"))!;

    public async Task<Cart> AddToCart(Guid productId, int quantity)
    {
        using var response = await Http.PostAsJsonAsync("api/cart/items", new { productId, quantity }, Json);
        await EnsureSuccess(response);
        return (await response.Content.ReadFromJsonAsync<Cart>(Json))!;
    }

    public async Task<Cart> GetCart() => (await Get<Cart>("api/cart"))!;

    public async Task<Guid> Checkout(string paymentMethod)
    {
        using var response = await Http.PostAsJsonAsync("api/cart/checkout", new { paymentMethod }, Json);
        await EnsureSuccess(response);
        return (await response.Content.ReadFromJsonAsync<CheckoutResult>(Json))!.OrderId;
    }

    public async Task<Order?> GetOrder(Guid orderId)
    {
        using var response = await Http.GetAsync($"api/orders/{orderId}");
        if (response.StatusCode == HttpStatusCode.NotFound)
            return null;
        await EnsureSuccess(response);
        return await response.Content.ReadFromJsonAsync<Order>(Json);
    }

    /// <summary>Polls the order (as the web app does) until it reaches one of the statuses.</summary>
    public async Task<Order> WaitForOrder(Guid orderId, TimeSpan timeout, params string[] statuses)
    {
        Order? last = null;
        if (await Poll.Until(async () => (last = await GetOrder(orderId)) is not null && statuses.Contains(last.Status), timeout))
            return last!;
        throw new TimeoutException($"Order {orderId} did not reach {string.Join("/", statuses)} within {timeout}; last status: {last?.Status ?? "(not visible)"}, " +
                                   $"timeline: {string.Join(" -> ", last?.Timeline.Select(t => t.Status) ?? [])}");
    }

    public async Task<HttpResponseMessage> Cancel(Guid orderId) => await Http.PostAsync($"api/orders/{orderId}/cancel", null);

    public async Task<Stock> GetStock(Guid productId) => (await Get<Stock>($"api/products/{productId}/stock"))!;

    public async Task<T?> Get<T>(string path)
    {
        using var response = await Http.GetAsync(path);
        await EnsureSuccess(response);
        return await response.Content.ReadFromJsonAsync<T>(Json);
    }

    public static async Task EnsureSuccess(HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException(
                $"{(int)response.StatusCode} {response.StatusCode} from {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: " +
                await response.Content.ReadAsStringAsync(), null, response.StatusCode);
    }

    public void Dispose() => Http.Dispose();
}
