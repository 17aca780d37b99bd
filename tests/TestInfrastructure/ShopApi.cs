using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Shop.Testing;

/// <summary>
/// A client of the public API, as the web app uses it: everything goes through the gateway. With the system's mail server
/// (<see cref="ShopCluster.Api"/>) it signs customers up the way a person does: register, open the link in the email, sign in.
/// </summary>
public sealed class ShopApi(Uri gateway, MailDevServer? mail = null) : IDisposable
{
    public const string VerifyEmailKind = "verify-email";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public HttpClient Http { get; } = new() { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(30) };

    public record Tokens(string AccessToken, string RefreshToken, int ExpiresIn);
    public record Product(Guid Id, string Sku, string Name, string Description, decimal Price, string Currency, string Category, bool Active, int Available);
    public record ProductPage(List<Product> Items, long Total, int Page, int PageSize);
    public record CartItem(Guid ProductId, string Name, decimal UnitPrice, int Quantity, decimal LineTotal, bool PriceChanged);
    public record Cart(Guid? Id, List<CartItem> Items, decimal Total, string Currency, long Version);
    public record CheckoutResult(Guid OrderId);
    public record TimelineEntry(string Status, DateTimeOffset At, string? Detail);
    public record Order(Guid OrderId, string Status, string? FailureReason, decimal Total, string Currency, List<TimelineEntry> Timeline,
        bool CanCancel = false, bool CanRequestReturn = false, bool CanShip = false, bool CanRecordReturnReceived = false);
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

    public const string CustomerPassword = "a long enough password";

    /// <summary>Registers a new customer with a unique email, verifies it from the email Shop sent and logs in as them.</summary>
    public async Task<string> SignUpCustomer(string name = "Test Customer")
    {
        var email = $"customer-{Guid.NewGuid():N}@shop.test";
        await RegisterVerified(email, CustomerPassword, name);
        await Login(email, CustomerPassword);
        return email;
    }

    /// <summary>Registers an account and opens the link of the verification email it gets (the latest one to that address).</summary>
    public async Task RegisterVerified(string email, string password, string name)
    {
        var before = (await Mailbox.EmailsToAsync(email, VerifyEmailKind)).Count;
        using (var registered = await Register(email, password, name))
            await EnsureSuccess(registered);
        await VerifyFromEmail(email, before + 1);
    }

    /// <summary>Opens the link of the <paramref name="count"/>-th verification email to the address (POST /api/auth/verify-email).</summary>
    public async Task VerifyFromEmail(string email, int count = 1)
    {
        var message = await Mailbox.WaitForEmailAsync(email, VerifyEmailKind, count);
        using var response = await VerifyEmail(MailDevServer.VerificationToken(message));
        await EnsureSuccess(response);
    }

    public async Task<HttpResponseMessage> VerifyEmail(string token) =>
        await Http.PostAsJsonAsync("api/auth/verify-email", new { token }, Json);

    MailDevServer Mailbox => mail ?? throw new InvalidOperationException(
        "This ShopApi has no mail server to read verification links from: create it with ShopCluster.Api() (or pass the cluster's Mail).");

    /// <summary>Ends the session: the refresh token's family and the current access token (POST /api/auth/logout, signed in).</summary>
    public async Task<HttpResponseMessage> Logout(string refreshToken) =>
        await Http.PostAsJsonAsync("api/auth/logout", new { refreshToken }, Json);

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

    public async Task<HttpResponseMessage> Ship(Guid orderId, string? trackingReference = null) =>
        await Http.PostAsJsonAsync($"api/orders/{orderId}/ship", new { trackingReference }, Json);

    public async Task<HttpResponseMessage> RequestReturn(Guid orderId, string reason) =>
        await Http.PostAsJsonAsync($"api/orders/{orderId}/return", new { reason }, Json);

    public async Task<HttpResponseMessage> RecordReturnReceived(Guid orderId) => await Http.PostAsync($"api/orders/{orderId}/return/received", null);

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
