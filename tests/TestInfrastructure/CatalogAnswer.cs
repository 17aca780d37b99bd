using System.Net;
using System.Net.Http.Headers;

namespace Shop.Testing;

/// <summary>A catalog answer as a client or a CDN sees it (InventoryService's cache directly, or the gateway's).</summary>
public sealed record CatalogAnswer(HttpStatusCode Status, string? ETag, CacheControlHeaderValue? CacheControl, TimeSpan? Age, string Body)
{
    public bool FromCache => Age is not null;

    public static async Task<CatalogAnswer> Get(HttpClient http, string path, string? ifNoneMatch = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (ifNoneMatch is not null)
            request.Headers.IfNoneMatch.Add(EntityTagHeaderValue.Parse(ifNoneMatch));
        using var response = await http.SendAsync(request);
        return new CatalogAnswer(response.StatusCode, response.Headers.ETag?.ToString(), response.Headers.CacheControl,
            response.Headers.Age, await response.Content.ReadAsStringAsync());
    }

    public T Read<T>() => System.Text.Json.JsonSerializer.Deserialize<T>(Body, ShopApi.Json)!;
}
