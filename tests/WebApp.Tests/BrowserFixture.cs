using Microsoft.Playwright;
using Shop.Testing;
using Xunit;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Shop.WebApp.Tests;

/// <summary>
/// The whole system as real processes with the gateway serving the built web app, and Debian's Chromium driven by
/// Playwright. Started once for the collection: six services and a browser take a while on a loaded box.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    /// <summary>Generous: the box has 2 cores shared by many builds, and a saga run crosses five processes.</summary>
    public static readonly TimeSpan SagaTimeout = TimeSpan.FromSeconds(120);
    const float ActionTimeoutMs = 45_000;

    IPlaywright? _playwright;
    IBrowser? _browser;

    public ShopCluster Cluster { get; } = new();
    public string BaseUrl => Cluster.GatewayAddress.ToString().TrimEnd('/');
    public static string ScreenshotFolder { get; } = Path.Combine(RepositoryLayout.Root, ".shop", "artifacts", "screenshots");

    public async Task InitializeAsync()
    {
        Assertions.SetDefaultExpectTimeout(ActionTimeoutMs);
        Cluster.Settings[WebAppBuild.Setting] = WebAppBuild.RequireBuiltFolder();
        var executable = Chromium.RequireExecutable();

        try
        {
            var cluster = Cluster.StartAsync("webapp");
            _playwright = await Playwright.CreateAsync();
            _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = executable,
                Headless = true,
                Args = Chromium.Flags,
                Timeout = 120_000,
            });
            await cluster;
            await WaitForCatalogAsync();
            Directory.CreateDirectory(ScreenshotFolder);
        }
        catch
        {
            // Leave no browser or service processes behind on a shared box when start-up fails.
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>A fresh browser profile (no cookies, no storage): one shopper. Phone-sized when asked.</summary>
    public async Task<ShopperPage> NewShopperAsync(bool phone = false)
    {
        var options = new BrowserNewContextOptions { BaseURL = BaseUrl, Locale = "en-GB", TimezoneId = "Europe/Berlin" };
        if (phone)
        {
            options.ViewportSize = new ViewportSize { Width = 390, Height = 844 };
            options.IsMobile = true;
            options.HasTouch = true;
            options.DeviceScaleFactor = 2;
        }
        else
        {
            options.ViewportSize = new ViewportSize { Width = 1280, Height = 900 };
        }
        var context = await _browser!.NewContextAsync(options);
        context.SetDefaultTimeout(ActionTimeoutMs);
        context.SetDefaultNavigationTimeout(90_000);
        return new ShopperPage(context, await context.NewPageAsync());
    }

    /// <summary>A client of the public API for set-up and for checking what the browser did.</summary>
    public ShopApi Api() => Cluster.Api();

    public Task<ShopApi> AdminApiAsync() => Cluster.AdminApi();

    async Task WaitForCatalogAsync()
    {
        using var api = Api();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if ((await api.Products("?pageSize=1")).Total >= 12)
                return;
            await Task.Delay(250);
        }
        throw new TimeoutException("The demo catalog was not seeded within 90 s.\n" + Cluster.Logs());
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
            await _browser.CloseAsync();
        _browser = null;
        _playwright?.Dispose();
        _playwright = null;
        await Cluster.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}

/// <summary>Where the built web app is; the tests fail (never skip) when it is missing.</summary>
public static class WebAppBuild
{
    public const string Setting = "WebApp:Root";

    public static string Folder { get; } = Path.Combine(RepositoryLayout.Root, "src", "WebApp", "dist");

    public static string RequireBuiltFolder() =>
        File.Exists(Path.Combine(Folder, "index.html"))
            ? Folder
            : throw new InvalidOperationException($"The web app is not built: {Folder}/index.html is missing. Run ./shop build (or npm ci && npm run build in src/WebApp).");
}

/// <summary>Debian's chromium package; no browser is downloaded (there is no network for it).</summary>
public static class Chromium
{
    public static readonly string[] Flags =
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-dev-shm-usage"];

    public static string RequireExecutable()
    {
        var path = Environment.GetEnvironmentVariable("SHOP_CHROMIUM") is { Length: > 0 } configured ? configured : "/usr/bin/chromium";
        return File.Exists(path)
            ? path
            : throw new InvalidOperationException($"Chromium is not installed at {path}. ./shop test installs Debian's chromium package (apt-get install chromium), or set SHOP_CHROMIUM.");
    }
}
