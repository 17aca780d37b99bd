using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Xunit;

namespace Shop.CartService.Tests;

/// <summary>The cart API as one signed-in user sees it, with the responses read into the shapes DESIGN.md fixes.</summary>
public sealed class CartClient(HttpClient http, Guid userId) : IDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public HttpClient Http { get; } = http;
    public Guid UserId { get; } = userId;

    public record Item(Guid ProductId, string Sku, string Name, decimal UnitPrice, int Quantity, decimal LineTotal, decimal PriceWhenAdded,
        bool PriceChanged, bool Available);
    public record Cart(Guid? Id, List<Item> Items, decimal Total, string Currency, long Version, string Status, DateTimeOffset? LastActivityAt,
        DateTimeOffset? AbandonedAt, Guid? OrderId)
    {
        public Item Line(Guid productId) => Items.Single(i => i.ProductId == productId);
    }
    public record HistoryEvent(long Version, string Type, DateTimeOffset Time, JsonElement Data);
    public record History(Guid? CartId, long Version, List<HistoryEvent> Events);
    public record CheckoutLine(Guid ProductId, string Sku, string Name, int Quantity, decimal UnitPrice, decimal PriceWhenAdded, decimal LineTotal,
        bool PriceChanged);
    public record Checkout(Guid OrderId, Guid CartId, List<CheckoutLine> Lines, decimal Total, string Currency, bool PricesChanged);
    public record Abandoned(Guid CartId, Guid CustomerId, int Lines, int Units, decimal Total, string Currency, DateTimeOffset LastActivityAt,
        DateTimeOffset AbandonedAt);
    public record AbandonedPage(List<Abandoned> Items, long Total, int Page, int PageSize);

    public Task<HttpResponseMessage> Add(Guid productId, int quantity, string? ifMatch = null) =>
        Send(HttpMethod.Post, "api/cart/items", JsonContent.Create(new { productId, quantity }), ifMatch);

    public Task<HttpResponseMessage> SetQuantity(Guid productId, int quantity, string? ifMatch = null) =>
        Send(HttpMethod.Put, $"api/cart/items/{productId}", JsonContent.Create(new { quantity }), ifMatch);

    public Task<HttpResponseMessage> Remove(Guid productId, string? ifMatch = null) => Send(HttpMethod.Delete, $"api/cart/items/{productId}", null, ifMatch);

    public Task<HttpResponseMessage> Clear(string? ifMatch = null) => Send(HttpMethod.Delete, "api/cart", null, ifMatch);

    public Task<HttpResponseMessage> CheckOut(string paymentMethod = "pm_card_visa", string? idempotencyKey = null, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "api/cart/checkout") { Content = JsonContent.Create(new { paymentMethod }) };
        if (idempotencyKey is not null)
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        if (ifMatch is not null)
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return Http.SendAsync(request);
    }

    public Task<HttpResponseMessage> PostRaw(string path, string body, string contentType = "application/json") =>
        Http.PostAsync(path, new StringContent(body, Encoding.UTF8, contentType));

    public Task<HttpResponseMessage> PutRaw(string path, string body) =>
        Http.PutAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));

    public async Task<Cart> AddOk(Guid productId, int quantity) => await Read<Cart>(await Add(productId, quantity));

    public async Task<Cart> Get(string query = "") => await Read<Cart>(await Http.GetAsync($"api/cart{query}"));

    public async Task<History> GetHistory(string path = "api/cart/history") => await Read<History>(await Http.GetAsync(path));

    public async Task<Checkout> CheckOutOk(string paymentMethod = "pm_card_visa", string? idempotencyKey = null) =>
        await Read<Checkout>(await CheckOut(paymentMethod, idempotencyKey), HttpStatusCode.Accepted);

    Task<HttpResponseMessage> Send(HttpMethod method, string path, HttpContent? content, string? ifMatch)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        if (ifMatch is not null)
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return Http.SendAsync(request);
    }

    /// <summary>Reads a successful response (disposing it); fails with the body when the status is not the expected one.</summary>
    public static async Task<T> Read<T>(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode} from " +
                                                         $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {body}");
            return JsonSerializer.Deserialize<T>(body, Json)!;
        }
    }

    /// <summary>Asserts a ProblemDetails answer with the status, and returns its JSON.</summary>
    public static async Task<JsonElement> Problem(HttpResponseMessage response, HttpStatusCode expected)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = JsonSerializer.Deserialize<JsonElement>(body);
            Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
            return problem;
        }
    }

    public void Dispose() => Http.Dispose();
}
