using System.Net;
using System.Text.RegularExpressions;
using Xunit;

namespace Shop.WebApp.Tests;

/// <summary>The gateway serves the built app from its own origin, without swallowing API errors.</summary>
[Collection(BrowserCollection.Name)]
public sealed partial class GatewayHostingTests(BrowserFixture fixture)
{
    [Fact]
    public async Task App_routes_get_index_html_assets_are_cached_for_good_and_unknown_api_paths_stay_problems()
    {
        using var api = fixture.Api();

        using var deepLink = await api.Http.GetAsync("admin/orders/some-order");
        Assert.Equal(HttpStatusCode.OK, deepLink.StatusCode);
        Assert.Equal("text/html", deepLink.Content.Headers.ContentType?.MediaType);
        Assert.True(deepLink.Headers.CacheControl?.NoCache, "index.html must be revalidated");
        var html = await deepLink.Content.ReadAsStringAsync();
        Assert.Contains("<div id=\"root\"></div>", html);
        Assert.DoesNotMatch(InlineScript(), html);

        var script = ScriptSource().Match(html).Groups[1].Value;
        Assert.StartsWith("/assets/", script);
        using var asset = await api.Http.GetAsync(script.TrimStart('/'));
        Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
        Assert.Equal("text/javascript", asset.Content.Headers.ContentType?.MediaType);
        Assert.True(asset.Headers.CacheControl?.MaxAge >= TimeSpan.FromDays(365), $"asset cache: {asset.Headers.CacheControl}");

        using var missingAsset = await api.Http.GetAsync("assets/nope.js");
        Assert.Equal(HttpStatusCode.NotFound, missingAsset.StatusCode);

        using var unknownApi = await api.Http.GetAsync("api/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, unknownApi.StatusCode);
        Assert.Equal("application/problem+json", unknownApi.Content.Headers.ContentType?.MediaType);

        using var post = await api.Http.PostAsync("orders", null);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
    }

    [GeneratedRegex("<script(?![^>]*\\bsrc=)[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();

    [GeneratedRegex("<script[^>]*\\bsrc=\"([^\"]+)\"")]
    private static partial Regex ScriptSource();
}
