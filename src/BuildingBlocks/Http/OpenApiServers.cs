using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Configuration;
using Microsoft.OpenApi;

namespace Shop.BuildingBlocks.Http;

/// <summary>
/// The server an OpenAPI document names comes from configuration (Http:PublicUrl, the gateway's public address), never
/// from the request's Host header, which a client chooses. Without the setting the document names no server: clients
/// resolve paths against the URL they fetched it from.
/// </summary>
public static class OpenApiServers
{
    public const string PublicUrlSetting = "Http:PublicUrl";

    /// <summary>The configured public base URL (absolute http/https, no trailing slash), or null.</summary>
    public static string? PublicUrl(IConfiguration configuration)
    {
        var value = configuration[PublicUrlSetting];
        if (string.IsNullOrWhiteSpace(value))
            return null;
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new InvalidOperationException($"{PublicUrlSetting} must be an absolute http(s) URL (got '{value}').");
        return uri.GetLeftPart(UriPartial.Path).TrimEnd('/');
    }

    public static OpenApiOptions UseConfiguredServers(this OpenApiOptions options, IConfiguration configuration)
    {
        var publicUrl = PublicUrl(configuration);
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Servers = publicUrl is null ? [] : [new OpenApiServer { Url = publicUrl }];
            return Task.CompletedTask;
        });
        return options;
    }
}
