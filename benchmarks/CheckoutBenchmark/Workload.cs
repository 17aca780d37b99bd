using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;

namespace Shop.Benchmarks.Checkout;

/// <summary>
/// What the benchmark sets up through the public and admin API: products with ample stock, customers who place orders
/// (writers) and customers with a cart and an order to read (readers).
/// </summary>
public sealed class Workload(ShopHttp http, string runId)
{
    const string Password = "benchmark password";
    public const string PaymentMethod = "pm_card_visa";
    public const string CatalogPage = "catalog page";

    /// <summary>Units of each product: more than every step together can order.</summary>
    const int Stock = 1_000_000;

    record ProductCreated(Guid Id);
    record CheckoutAccepted(Guid OrderId);

    int _customers;
    Account? _admin;

    public List<Guid> Products { get; } = [];
    public List<Account> Readers { get; } = [];
    public List<TrackedOrder> ReaderOrders { get; } = [];
    public CustomerPool Writers { get; } = new();

    public Guid AnyProduct() => Products[Random.Shared.Next(Products.Count)];

    public async Task CreateProductsAsync(Account admin, int count, Action progressed, CancellationToken cancellationToken)
    {
        // The admin also verifies the customers' email addresses (POST /api/users/{id}/verify), as support staff can.
        _admin = admin;
        for (var i = 0; i < count; i++)
        {
            var product = await http.SendForAsync<ProductCreated>(HttpMethod.Post, "api/products", admin, cancellationToken, new
            {
                sku = $"BENCH-{runId}-{i}", name = $"Benchmark item {i}", description = "Created by ./shop bench", price = 10.00m + i,
                currency = "EUR", category = "Benchmark", stock = Stock,
            });
            Products.Add(product.Id);
            progressed();
        }
    }

    /// <summary>The cart learns of new products from events: wait until it sells each one (a cart that knows it answers 200).</summary>
    public async Task WaitUntilCartSellsProductsAsync(TimeSpan bound, CancellationToken cancellationToken)
    {
        var probe = await NewCustomerAsync(cancellationToken);
        var deadline = DateTimeOffset.UtcNow + bound;
        foreach (var product in Products)
        {
            while (true)
            {
                using var response = await http.SendAsync(HttpMethod.Post, "api/cart/items", probe, cancellationToken, new { productId = product, quantity = 1 });
                if (response.IsSuccessStatusCode)
                    break;
                if (response.StatusCode != HttpStatusCode.NotFound || DateTimeOffset.UtcNow > deadline)
                    await ShopHttp.EnsureSuccessAsync(response, cancellationToken);
                await Task.Delay(200, cancellationToken);
            }
        }
        using var cleared = await http.SendAsync(HttpMethod.Delete, "api/cart", probe, cancellationToken);
        await ShopHttp.EnsureSuccessAsync(cleared, cancellationToken);
    }

    /// <summary>Readers each check out one order (the read path's order GET) and keep one item in their cart (its cart GET).</summary>
    public async Task CreateReadersAsync(int count, OrderTracker tracker, Action progressed, CancellationToken cancellationToken)
    {
        for (var i = 0; i < count; i++)
        {
            var reader = await NewCustomerAsync(cancellationToken);
            await AddItemAsync(reader, cancellationToken);
            var accepted = await http.SendForAsync<CheckoutAccepted>(HttpMethod.Post, "api/cart/checkout", reader, cancellationToken, new { paymentMethod = PaymentMethod });
            ReaderOrders.Add(tracker.Track(accepted.OrderId, reader, DateTimeOffset.UtcNow));
            await AddItemAsync(reader, cancellationToken);
            Readers.Add(reader);
            progressed();
        }
    }

    async Task AddItemAsync(Account customer, CancellationToken cancellationToken)
    {
        using var response = await http.SendAsync(HttpMethod.Post, "api/cart/items", customer, cancellationToken, new { productId = AnyProduct(), quantity = 1 });
        await ShopHttp.EnsureSuccessAsync(response, cancellationToken);
    }

    /// <summary>Grows the writer pool to <paramref name="size"/> customers, a few sign-ups at a time.</summary>
    public async Task EnsureWritersAsync(int size, Action progressed, CancellationToken cancellationToken)
    {
        var missing = size - Writers.Size;
        if (missing <= 0)
            return;
        await Parallel.ForAsync(0, missing, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (_, token) =>
        {
            Writers.Add(await NewCustomerAsync(token));
            progressed();
        });
    }

    Task<Account> NewCustomerAsync(CancellationToken cancellationToken) =>
        Account.RegisterAsync(http, $"bench-{runId}-{Interlocked.Increment(ref _customers)}@bench.shop.test", Password,
            _admin ?? throw new InvalidOperationException("Customers are created after the products (whose admin verifies them)."), cancellationToken);

    /// <summary>The read-path requests, one per kind, each cycling over the set-up products, readers and orders.</summary>
    public IReadOnlyList<ReadTarget> ReadTargets() =>
    [
        new(CatalogPage, "/api/products?page=1&pageSize=20", "inventory", _ => ("api/products?page=1&pageSize=20", null)),
        new("product", "/api/products/{id}", "inventory", i => ($"api/products/{Products[i % Products.Count]}", null)),
        new("cart GET", "/api/cart", "cart", i => ("api/cart", Readers[i % Readers.Count])),
        new("order GET", "/api/orders/{id}", "orders", i => ($"api/orders/{ReaderOrders[i % ReaderOrders.Count].Id}", ReaderOrders[i % ReaderOrders.Count].Customer)),
    ];

    public static async Task<Guid> ReadOrderIdAsync(HttpResponseMessage response, CancellationToken cancellationToken) =>
        (await response.Content.ReadFromJsonAsync<CheckoutAccepted>(ShopHttp.Json, cancellationToken))!.OrderId;
}

/// <summary>Writers not placing an order right now. Its size bounds the checkouts in flight.</summary>
public sealed class CustomerPool
{
    readonly ConcurrentQueue<Account> _free = new();
    int _size;

    public int Size => Volatile.Read(ref _size);

    public void Add(Account customer)
    {
        _free.Enqueue(customer);
        Interlocked.Increment(ref _size);
    }

    public bool TryTake(out Account customer) => _free.TryDequeue(out customer!);

    public void Return(Account customer) => _free.Enqueue(customer);
}
