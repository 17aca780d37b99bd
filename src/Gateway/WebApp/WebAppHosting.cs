using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;
using Shop.BuildingBlocks.Http;

namespace Shop.Gateway.WebApp;

/// <summary>
/// Serves the built web app (src/WebApp, `npm run build`) from the gateway's own origin: its files, and index.html for
/// every other GET that is not an API path, so that the app's client-side routes (/orders/…, /admin/…) survive a reload
/// or a shared link. WebApp:Root names the build folder; without it the gateway serves only the API.
/// </summary>
public static class WebAppHosting
{
    public const string RootSetting = "WebApp:Root";

    /// <summary>Vite puts content hashes in these names, so a browser may keep them for good.</summary>
    const string HashedAssetsPath = "/assets/";

    static readonly string[] ServerPaths = ["/api", "/health", "/openapi"];

    public static WebApplication MapWebApp(this WebApplication app)
    {
        var root = app.Configuration[RootSetting];
        if (string.IsNullOrWhiteSpace(root))
        {
            app.Logger.LogInformation("{Setting} is not set: the gateway serves the API only, not the web app", RootSetting);
            return app;
        }
        var folder = Path.GetFullPath(root);
        if (!File.Exists(Path.Combine(folder, "index.html")))
            throw new InvalidOperationException($"{RootSetting} is {folder}, but it holds no index.html: build the web app (./shop build) or unset {RootSetting}.");

        var files = new PhysicalFileProvider(folder);
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            OnPrepareResponse = context => context.Context.Response.Headers.CacheControl =
                context.Context.Request.Path.StartsWithSegments(HashedAssetsPath.TrimEnd('/'))
                    ? "public, max-age=31536000, immutable"
                    : "no-cache",
        });
        app.MapFallback("{*path:nonfile}", (HttpContext context) => ServeIndex(context, files)).AllowAnonymous();
        app.Logger.LogInformation("Serving the web app from {Folder}", folder);
        return app;
    }

    static IResult ServeIndex(HttpContext context, IFileProvider files)
    {
        if (ServerPaths.Any(prefix => context.Request.Path.StartsWithSegments(prefix)))
            return Problems.NotFound("The resource");
        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
            return TypedResults.Problem(title: "Pages can only be read.", statusCode: StatusCodes.Status405MethodNotAllowed);

        // Always revalidated: a new deployment's index.html names new asset files.
        context.Response.Headers.CacheControl = "no-cache";
        var index = files.GetFileInfo("index.html");
        return TypedResults.Stream(index.CreateReadStream(), "text/html; charset=utf-8", lastModified: index.LastModified,
            entityTag: new EntityTagHeaderValue($"\"{index.LastModified.ToUnixTimeSeconds():x}-{index.Length:x}\""));
    }
}
