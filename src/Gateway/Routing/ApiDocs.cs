namespace Shop.Gateway.Routing;

/// <summary>
/// OpenAPI documents through the gateway: /api/docs lists them, /api/docs/gateway/openapi.json is the gateway's own and
/// /api/docs/{service}/openapi.json is proxied from each service's /openapi/v1.json (see <see cref="ServiceRoutes"/>).
/// </summary>
public static class ApiDocs
{
    public const string Prefix = "/api/docs";

    public record DocumentLink(string Name, string Url);

    public static WebApplication MapApiDocs(this WebApplication app)
    {
        app.MapOpenApi($"{Prefix}/gateway/openapi.json").AllowAnonymous().ExcludeFromDescription();
        DocumentLink[] links =
        [
            new("gateway", $"{Prefix}/gateway/openapi.json"),
            .. ServiceRoutes.Documents.Select(d => new DocumentLink(d.Name, $"{Prefix}/{d.Name}/openapi.json")),
        ];
        app.MapGet(Prefix, () => TypedResults.Ok(links)).AllowAnonymous().WithTags("Docs");
        return app;
    }
}
