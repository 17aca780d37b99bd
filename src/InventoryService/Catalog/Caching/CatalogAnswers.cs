using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Shop.InventoryService.Catalog.Caching;

/// <summary>
/// Writes catalog answers with validators and freshness a browser or CDN can use. The ETag is a hash of the JSON body:
/// the same data gives the same tag on every instance (a client's If-None-Match holds wherever the gateway sends it next),
/// and any change of a price, a name or a stock figure gives a new one. The body is serialized here, once per cache miss,
/// so that the tag can be set before the response starts; the output cache then stores body and headers together.
/// </summary>
public sealed class CatalogAnswers(IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, CatalogCacheOptions cache)
{
    const string JsonContentType = "application/json; charset=utf-8";

    readonly JsonSerializerOptions _json = json.Value.SerializerOptions;

    /// <summary>
    /// Shared caches may keep it for the cache's duration (s-maxage); browsers revalidate every time (max-age=0), which
    /// costs a 304 once they hold the current ETag.
    /// </summary>
    readonly string _publicCacheControl = $"public, max-age=0, s-maxage={(long)cache.Duration.TotalSeconds}";

    /// <summary>The same for everyone: cacheable by shared caches.</summary>
    public IResult Public<T>(HttpContext http, T value) => Answer(http, value, _publicCacheControl);

    /// <summary>Only for the admin who asked: no cache may keep it.</summary>
    public IResult Private<T>(HttpContext http, T value) => Answer(http, value, "private, no-store");

    IResult Answer<T>(HttpContext http, T value, string cacheControl)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(value, _json);
        var etag = ContentTag(body);
        var headers = http.Response.Headers;
        headers.ETag = etag;
        headers.CacheControl = cacheControl;
        return ClientHasIt(http.Request, etag)
            ? TypedResults.StatusCode(StatusCodes.Status304NotModified)
            : TypedResults.Bytes(body, JsonContentType);
    }

    /// <summary>A strong tag: 16 bytes of the body's SHA-256, base64url.</summary>
    public static string ContentTag(ReadOnlySpan<byte> body)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(body, hash);
        return $"\"{Base64Url.EncodeToString(hash[..16])}\"";
    }

    /// <summary>If-None-Match names this tag or "*" (weak comparison, as RFC 9110 asks of If-None-Match).</summary>
    static bool ClientHasIt(HttpRequest request, string etag)
    {
        if (request.Headers.IfNoneMatch.Count == 0 || !EntityTagHeaderValue.TryParseList(request.Headers.IfNoneMatch, out var tags))
            return false;
        var current = new EntityTagHeaderValue(etag);
        return tags.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Compare(current, useStrongComparison: false));
    }
}
