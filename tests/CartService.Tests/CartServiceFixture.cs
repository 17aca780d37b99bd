using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Shop.BuildingBlocks.Security;
using Shop.CartService.Catalog;
using Shop.Testing;
using Xunit;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Shop.CartService.Tests;

/// <summary>
/// CartService in-process against a fresh PostgreSQL database and RabbitMQ virtual host, with the real InventoryService
/// running as a process beside it: products are created through its admin API and reach the cart's replica as real
/// ProductCreated/ProductPriceChanged/... messages; unknown products are asked of it over HTTP. Tokens are minted with the
/// fixture's signing key, exactly as the gateway would issue them.
/// </summary>
public class CartServiceFixture : IAsyncLifetime
{
    readonly string _signingKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
    WebApplicationFactory<Program>? _cart;
    TestDatabase? _database;
    TestVirtualHost? _virtualHost;
    HttpClient? _inventoryAdmin;

    public ServiceProcess Inventory { get; private set; } = null!;
    public WebApplicationFactory<Program> Cart => _cart ?? throw new InvalidOperationException("Not started");
    public IDocumentStore Store => Cart.Services.GetRequiredService<IDocumentStore>();

    /// <summary>CartService settings of this fixture (configuration keys), on top of the connection settings.</summary>
    protected virtual Dictionary<string, string> CartSettings => new();

    public async Task InitializeAsync()
    {
        var purpose = GetType().Name.Replace("Fixture", "").ToLowerInvariant();
        _database = await TestEnvironment.CreateDatabaseAsync(purpose);
        _virtualHost = await TestEnvironment.CreateVirtualHostAsync(purpose);
        var logs = Path.Combine(RepositoryLayout.Root, ".shop", "test-logs", $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{purpose}");

        Inventory = new ServiceProcess("inventory", RepositoryLayout.ServiceDll("InventoryService"), LoopbackPorts.Next(), new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = _database.ConnectionString,
            ["ConnectionStrings__RabbitMq"] = _virtualHost.AmqpUri.ToString(),
            ["Jwt__SigningKey"] = _signingKey,
        }, Path.Combine(logs, "inventory.log"));
        Inventory.Start();
        await Inventory.WaitUntilReadyAsync(TimeSpan.FromMinutes(5));

        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings:Postgres"] = _database.ConnectionString,
            ["ConnectionStrings:RabbitMq"] = _virtualHost.AmqpUri.ToString(),
            ["Jwt:SigningKey"] = _signingKey,
            ["Services:Inventory"] = Inventory.BaseAddress.ToString(),
            ["Logging:Format"] = "text",
            ["Logging:LogLevel:Default"] = "Warning",
            // Marten logs every version conflict as an error; the retries they cause are what these tests provoke.
            ["Logging:LogLevel:Marten.IDocumentStore"] = "None",
        };
        foreach (var (key, value) in CartSettings)
            settings[key] = value;
        _cart = new CartFactory(settings);
        using var client = _cart.CreateClient();
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        while (true)
        {
            using var ready = await client.GetAsync("health/ready");
            if (ready.IsSuccessStatusCode)
                break;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("CartService did not get ready");
            await Task.Delay(100);
        }

        _inventoryAdmin = new HttpClient { BaseAddress = Inventory.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        _inventoryAdmin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token(Guid.NewGuid(), ShopRoles.Admin));
    }

    public async Task DisposeAsync()
    {
        _inventoryAdmin?.Dispose();
        if (_cart is not null)
            await _cart.DisposeAsync();
        if (Inventory is not null)
            await Inventory.DisposeAsync();
        if (_virtualHost is not null)
            await _virtualHost.DisposeAsync();
        if (_database is not null)
            await _database.DisposeAsync();
    }

    /// <summary>A client of the cart API signed in as a new customer.</summary>
    public CartClient NewCustomer() => Client(Guid.NewGuid(), ShopRoles.Customer);

    public CartClient Admin() => Client(Guid.NewGuid(), ShopRoles.Admin);

    public CartClient Anonymous() => new(Cart.CreateClient(), Guid.Empty);

    CartClient Client(Guid userId, string role)
    {
        var http = Cart.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token(userId, role));
        return new CartClient(http, userId);
    }

    public string SigningKey => _signingKey;

    public string Token(Guid userId, string role) => TestTokens.Create(_signingKey, userId, $"{userId:N}@shop.test", role);

    public record Product(Guid Id, string Sku, string Name, decimal Price, string Currency, string Category, bool Active);

    /// <summary>Creates a product through InventoryService's admin API (which publishes ProductCreated).</summary>
    public async Task<Product> CreateProduct(decimal price, string currency = "EUR", int stock = 1000)
    {
        var sku = $"T-{Guid.NewGuid():N}"[..20].ToUpperInvariant();
        using var response = await _inventoryAdmin!.PostAsJsonAsync("api/products",
            new { sku, name = $"Product {sku}", description = "test product", price, currency, category = "Tests", imageUrl = (string?)null, stock });
        await EnsureSuccess(response);
        return (await response.Content.ReadFromJsonAsync<Product>(CartClient.Json))!;
    }

    /// <summary>Edits a product through InventoryService's admin API (which publishes the price change / deactivation).</summary>
    public async Task UpdateProduct(Product product, decimal price, bool active)
    {
        using var response = await _inventoryAdmin!.PutAsJsonAsync($"api/products/{product.Id}",
            new { name = product.Name, description = "test product", price, category = product.Category, imageUrl = (string?)null, active });
        await EnsureSuccess(response);
    }

    /// <summary>Waits until the cart's catalog replica holds the product in the expected state (events travel over RabbitMQ).</summary>
    public async Task<CatalogProduct> WaitForReplica(Guid productId, Func<CatalogProduct, bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        CatalogProduct? product = null;
        while (DateTime.UtcNow < deadline)
        {
            await using var session = Store.QuerySession();
            product = await session.LoadAsync<CatalogProduct>(productId);
            if (product is not null && condition(product))
                return product;
            await Task.Delay(100);
        }
        throw new TimeoutException($"The cart's replica of {productId} did not reach the expected state; last: " +
                                   (product is null ? "missing" : $"price {product.Price}, active {product.Active}") + $"\n{Inventory.Tail()}");
    }

    /// <summary>Every event of the customer's carts, straight from the event store (for "nothing changed" assertions).</summary>
    public async Task<int> EventCount(Guid customerId)
    {
        await using var session = Store.QuerySession();
        var carts = await session.Query<Shop.CartService.Carts.Cart>().Where(c => c.CustomerId == customerId).Select(c => c.Id).ToListAsync();
        var count = 0;
        foreach (var cartId in carts)
            count += (await session.Events.FetchStreamAsync(cartId)).Count;
        return count;
    }

    static async Task EnsureSuccess(HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"{(int)response.StatusCode} from {response.RequestMessage?.RequestUri}: {await response.Content.ReadAsStringAsync()}");
    }


    sealed class CartFactory(IReadOnlyDictionary<string, string> settings) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production");
            foreach (var (key, value) in settings)
                builder.UseSetting(key, value);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class CartCollection : ICollectionFixture<CartServiceFixture>
{
    public const string Name = "cart";
}
