using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Npgsql;
using Shop.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Shop.Resilience.Tests;

/// <summary>
/// Hundreds of checkouts through the real processes while a chaos loop SIGKILLs and restarts every service at random
/// moments and RabbitMQ is restarted once; afterwards every invariant of DESIGN.md's guarantees is checked:
/// every order ends in a terminal state, stock adds up with nothing left reserved, nobody is charged twice, every
/// captured-but-not-delivered order is refunded, and no customer gets a confirmation email twice.
/// </summary>
public sealed class CrashTest(ITestOutputHelper output) : IAsyncLifetime
{
    const int Shoppers = 20;
    const int CheckoutsPerShopper = 10;
    const int ProductCount = 6;
    const int InitialStock = 80;
    static readonly TimeSpan DrainBound = TimeSpan.FromMinutes(6);
    static readonly string[] Terminal = ["Completed", "Failed", "Cancelled", "Refunded"];

    readonly ShopCluster _cluster = new()
    {
        Settings =
        {
            // Longer than a broker restart plus MassTransit's reconnect backoff (which grows to ~20 s), so payments that
            // were merely delayed by the restart still complete; pm_card_noAnswer orders time out.
            ["Checkout:PaymentTimeout"] = "00:01:30",
            // Redeliveries come back within seconds here rather than minutes, so the drain stays short.
            ["Messaging:RedeliveryIntervals"] = "00:00:02,00:00:05,00:00:15,00:00:30,00:01:00",
        },
    };

    readonly ConcurrentDictionary<string, int> _kills = new();
    readonly ConcurrentBag<PlacedOrder> _orders = [];
    int _rabbitRestarts;
    int _transientFailures;

    record PlacedOrder(Guid OrderId, ShopperClient Owner, IReadOnlyDictionary<Guid, int> Lines, string PaymentMethod, bool CancelRequested);

    public async Task InitializeAsync()
    {
        // The cluster's own mail sink (a real SMTP server) receives every email: verification links and confirmations.
        _cluster.StartupTimeout = TimeSpan.FromMinutes(5);
        await _cluster.StartAsync("crash");
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task Checkouts_survive_killed_services_and_a_broker_restart_with_every_invariant_intact()
    {
        var restartRabbit = Environment.GetEnvironmentVariable("SHOP_TEST_RABBITMQ_RESTART");
        Assert.False(string.IsNullOrWhiteSpace(restartRabbit),
            "SHOP_TEST_RABBITMQ_RESTART (the command that restarts the test RabbitMQ) is not set: run this test with `./shop test`.");

        var admin = new ShopperClient(_cluster.GatewayAddress, this);
        await admin.Login(_cluster.AdminEmail, _cluster.AdminPassword);
        var products = new List<Guid>();
        for (var i = 0; i < ProductCount; i++)
            products.Add(await admin.CreateProduct($"CRASH-{i}-{Guid.NewGuid():N}"[..20], $"Crash test product {i}", 10m + i, InitialStock));

        var clock = Stopwatch.StartNew();
        using var chaos = new CancellationTokenSource();
        var submitted = 0;
        var everyoneHit = new TaskCompletionSource();
        var monkey = Task.Run(() => Chaos(restartRabbit!, () => Volatile.Read(ref submitted), everyoneHit, chaos.Token));

        await Task.WhenAll(Enumerable.Range(0, Shoppers).Select(async shopper =>
        {
            var random = new Random(shopper * 7919);
            var client = new ShopperClient(_cluster.GatewayAddress, this);
            await client.SignUp($"crash-{shopper}-{Guid.NewGuid():N}@shop.test");
            for (var i = 0; i < CheckoutsPerShopper; i++)
            {
                var lines = products.OrderBy(_ => random.Next()).Take(random.Next(1, 3)).ToDictionary(p => p, _ => random.Next(1, 4));
                var paymentMethod = random.Next(100) switch { < 80 => "pm_card_visa", < 95 => "pm_card_chargeDeclined", _ => "pm_card_noAnswer" };
                var orderId = await client.Checkout(lines, paymentMethod);
                var cancel = random.Next(100) < 8;
                if (cancel)
                    await client.Cancel(orderId);
                _orders.Add(new PlacedOrder(orderId, client, lines, paymentMethod, cancel));
                Interlocked.Increment(ref submitted);
            }
        }));
        var submittedAt = clock.Elapsed;

        // The chaos goes on until every service has been killed at least once and the broker restarted.
        await everyoneHit.Task.WaitAsync(TimeSpan.FromMinutes(5));
        await chaos.CancelAsync();
        await monkey;
        foreach (var service in ShopCluster.ServiceProjects.Select(s => s.Name))
        {
            var process = _cluster.Service(service);
            if (!process.IsRunning)
                process.Start();
            await process.WaitUntilReadyAsync(TimeSpan.FromMinutes(3));
        }

        // Drain: every order must reach a terminal state within the bound.
        var final = new Dictionary<Guid, ShopApi.Order>();
        var drainDeadline = DateTime.UtcNow + DrainBound;
        foreach (var order in _orders)
        {
            while (true)
            {
                var current = await order.Owner.Order(order.OrderId);
                if (current is not null && Terminal.Contains(current.Status))
                {
                    final[order.OrderId] = current;
                    break;
                }
                Assert.True(DateTime.UtcNow < drainDeadline,
                    $"order {order.OrderId} still {current?.Status ?? "invisible"} {DrainBound} after the chaos ended: " +
                    string.Join(" -> ", current?.Timeline.Select(t => t.Status) ?? []) + "\n" + _cluster.Logs(15));
                await Task.Delay(250);
            }
        }
        var drainedAt = clock.Elapsed;

        var report = new StringBuilder();
        report.AppendLine($"crash test: {_orders.Count} checkouts by {Shoppers} shoppers in {submittedAt.TotalSeconds:0}s, drained {(drainedAt - submittedAt).TotalSeconds:0}s later");
        report.AppendLine($"  kills: {string.Join(", ", _kills.OrderBy(k => k.Key).Select(k => $"{k.Key} {k.Value}"))} (total {_kills.Values.Sum()}), each followed by a restart; RabbitMQ restarts: {_rabbitRestarts}");
        report.AppendLine($"  requests retried after a transient failure (service or broker away): {_transientFailures}");
        report.AppendLine($"  outcomes: {string.Join(", ", final.Values.GroupBy(o => o.FailureReason is null ? o.Status : $"{o.Status}({o.FailureReason})").OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}"))}");

        await CheckStock(admin, products, final, report);
        await CheckPayments(final, report);
        await CheckEmails(final, report);
        await CheckDeadLetters(admin, report);

        output.WriteLine(report.ToString());
        Console.WriteLine(report.ToString());
        Directory.CreateDirectory(Path.Combine(RepositoryLayout.Root, ".shop", "test-results"));
        await File.WriteAllTextAsync(Path.Combine(RepositoryLayout.Root, ".shop", "test-results", "crash-test.txt"), report.ToString());

        Assert.True(ShopCluster.ServiceProjects.All(s => _kills.GetValueOrDefault(s.Name) >= 1), $"not every service was killed: {report}");
        Assert.Equal(1, _rabbitRestarts);
    }

    async Task Chaos(string restartRabbit, Func<int> submitted, TaskCompletionSource everyoneHit, CancellationToken stop)
    {
        var random = new Random(42);
        var services = ShopCluster.ServiceProjects.Select(s => s.Name).ToArray();
        var total = Shoppers * CheckoutsPerShopper;
        // Every service dies at least once per round, in a random order each round.
        var victims = new Queue<string>();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(random.Next(1500, 4000)), stop);
                if (_rabbitRestarts == 0 && submitted() >= total * 2 / 5)
                {
                    var restart = Process.Start(new ProcessStartInfo("bash", ["-c", restartRabbit]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
                    await restart.WaitForExitAsync(CancellationToken.None);
                    Assert.True(restart.ExitCode == 0, $"restarting RabbitMQ failed: {await restart.StandardError.ReadToEndAsync(CancellationToken.None)}");
                    Interlocked.Increment(ref _rabbitRestarts);
                    continue;
                }
                if (victims.Count == 0)
                    foreach (var service in services.OrderBy(_ => random.Next()))
                        victims.Enqueue(service);
                var victim = victims.Dequeue();
                var process = _cluster.Service(victim);
                if (!process.IsRunning)
                    continue;
                process.Kill();
                _kills.AddOrUpdate(victim, 1, (_, count) => count + 1);
                await Task.Delay(TimeSpan.FromMilliseconds(random.Next(300, 2500)), CancellationToken.None);
                process.Start();
                if (_rabbitRestarts > 0 && services.All(s => _kills.ContainsKey(s)))
                    everyoneHit.TrySetResult();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    async Task CheckStock(ShopperClient admin, List<Guid> products, Dictionary<Guid, ShopApi.Order> final, StringBuilder report)
    {
        // Units of an order are sold exactly when the order was confirmed (its stock committed).
        var soldByOrders = products.ToDictionary(p => p, _ => 0);
        foreach (var order in _orders.Where(o => final[o.OrderId].Timeline.Any(t => t.Status == "Confirmed")))
            foreach (var (product, quantity) in order.Lines)
                soldByOrders[product] += quantity;

        foreach (var product in products)
        {
            var stock = await admin.Stock(product);
            Assert.True(stock.Reserved == 0, $"product {product}: {stock.Reserved} units still reserved after every order ended");
            Assert.True(stock.OnHand + stock.Sold == InitialStock, $"product {product}: on hand {stock.OnHand} + sold {stock.Sold} != {InitialStock}");
            Assert.True(stock.Available + stock.Reserved + stock.Sold == InitialStock, $"product {product}: available + reserved + sold != {InitialStock}");
            Assert.True(stock.Sold == soldByOrders[product], $"product {product}: inventory sold {stock.Sold}, confirmed orders hold {soldByOrders[product]}");
        }
        report.AppendLine($"  stock: {products.Count} products, initial {InitialStock} each = available + reserved + sold, nothing reserved, sold = units of confirmed orders ({soldByOrders.Values.Sum()} units)");
    }

    async Task CheckPayments(Dictionary<Guid, ShopApi.Order> final, StringBuilder report)
    {
        var captures = new Dictionary<Guid, int>();
        await using (var connection = new NpgsqlConnection(_cluster.Database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "select stream_id, count(*) from payments.mt_events where type = 'payment_captured' group by stream_id", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                captures[reader.GetGuid(0)] = (int)reader.GetInt64(1);
        }

        var refundedUndelivered = 0;
        foreach (var order in _orders)
        {
            var outcome = final[order.OrderId];
            var captured = captures.GetValueOrDefault(order.OrderId);
            Assert.True(captured <= 1, $"order {order.OrderId} was captured {captured} times");
            var confirmed = outcome.Timeline.Any(t => t.Status == "Confirmed");
            if (confirmed)
                Assert.True(captured == 1, $"confirmed order {order.OrderId} has {captured} captures");
            if (captured == 1 && (!confirmed || outcome.Status == "Refunded"))
            {
                var payment = await order.Owner.Payment(order.OrderId);
                Assert.True(payment.Refunded == payment.Amount,
                    $"order {order.OrderId} ended {outcome.Status} after a capture of {payment.Amount} but {payment.Refunded} was refunded");
                refundedUndelivered++;
            }
        }
        report.AppendLine($"  payments: {captures.Count} orders captured, none twice; every confirmed order captured once; {refundedUndelivered} captured orders that were not delivered (or were cancelled after) fully refunded");
    }

    async Task CheckEmails(Dictionary<Guid, ShopApi.Order> final, StringBuilder report)
    {
        var completed = final.Values.Where(o => o.Status is "Completed" or "Refunded" && o.Timeline.Any(t => t.Detail == "OrderConfirmed")).Select(o => o.OrderId).ToHashSet();
        IReadOnlyList<ReceivedEmail> emails = [];
        // Confirmation emails of orders completed just now may still be on their way.
        for (var attempt = 0; attempt < 120; attempt++)
        {
            emails = await _cluster.Mail.EmailsAsync();
            var confirmed = emails.Where(e => e.Header("X-Shop-Notification") == "OrderConfirmed").Select(e => e.Header("X-Shop-Order-Id")).ToHashSet();
            if (completed.All(id => confirmed.Contains(id.ToString())))
                break;
            await Task.Delay(500);
        }
        var confirmations = emails.Where(e => e.Header("X-Shop-Notification") == "OrderConfirmed").GroupBy(e => e.Header("X-Shop-Order-Id")).ToList();
        var duplicated = confirmations.Where(g => g.Count() > 1).Select(g => $"{g.Key} x{g.Count()}").ToList();
        Assert.True(duplicated.Count == 0, $"confirmation emails sent more than once: {string.Join(", ", duplicated)}");
        var missing = completed.Where(id => confirmations.All(g => g.Key != id.ToString())).ToList();
        Assert.True(missing.Count == 0, $"completed orders without a confirmation email: {string.Join(", ", missing)}");
        report.AppendLine($"  emails: {emails.Count} received, {confirmations.Count} confirmations, one per completed order, none twice");
    }

    async Task CheckDeadLetters(ShopperClient admin, StringBuilder report)
    {
        var letters = new List<string>();
        foreach (var service in ShopCluster.ServiceProjects.Select(s => s.Name).Where(s => s != "gateway"))
        {
            var errors = await admin.DeadLetters(service);
            letters.AddRange(errors.Select(e => $"{service}: {e}"));
        }
        Assert.True(letters.Count == 0, $"messages gave up and were dead-lettered: {string.Join("; ", letters)}");
        report.AppendLine("  dead letters: none in any service's error queues");
    }

    internal void CountTransientFailure() => Interlocked.Increment(ref _transientFailures);

    /// <summary>A browser-like client that keeps going while services come and go: requests that fail because a service
    /// or the gateway is away are repeated, which is safe because every call it makes is idempotent.</summary>
    sealed class ShopperClient(Uri gateway, CrashTest test)
    {
        readonly HttpClient _http = new() { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(30) };

        public async Task SignUp(string email)
        {
            const string password = "crash test password";
            // Registration always answers 202 (a repeat sends another link with the same password): any link verifies.
            await Send(() => Json(HttpMethod.Post, "api/auth/register", new { email, password, name = "Crash Tester" }), HttpStatusCode.Accepted);
            var link = await test._cluster.Mail.WaitForEmailAsync(email, ShopApi.VerifyEmailKind, timeout: TimeSpan.FromMinutes(4));
            // A verification whose answer was lost is repeated and finds its link spent (400): the sign-in below proves it worked.
            (await Send(() => Json(HttpMethod.Post, "api/auth/verify-email", new { token = MailDevServer.VerificationToken(link) }),
                HttpStatusCode.OK, HttpStatusCode.BadRequest)).Dispose();
            await Login(email, password);
        }

        public async Task Login(string email, string password)
        {
            using var response = await Send(() => Json(HttpMethod.Post, "api/auth/login", new { email, password }), HttpStatusCode.OK);
            var tokens = (await response.Content.ReadFromJsonAsync<ShopApi.Tokens>(ShopApi.Json))!;
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.AccessToken);
        }

        public async Task<Guid> CreateProduct(string sku, string name, decimal price, int stock)
        {
            using var response = await Send(() => Json(HttpMethod.Post, "api/products",
                new { sku, name, description = "For the crash test", price, currency = "EUR", category = "Crash", stock }), HttpStatusCode.Created);
            return (await response.Content.ReadFromJsonAsync<ShopApi.Product>(ShopApi.Json))!.Id;
        }

        public async Task<Guid> Checkout(IReadOnlyDictionary<Guid, int> lines, string paymentMethod)
        {
            foreach (var (product, quantity) in lines)
                await SetQuantity(product, quantity);
            var key = Guid.NewGuid().ToString();
            using var response = await Send(() =>
            {
                var request = Json(HttpMethod.Post, "api/cart/checkout", new { paymentMethod });
                request.Headers.Add("Idempotency-Key", key);
                return request;
            }, HttpStatusCode.Accepted);
            return (await response.Content.ReadFromJsonAsync<ShopApi.CheckoutResult>(ShopApi.Json))!.OrderId;
        }

        /// <summary>
        /// Adding is not idempotent (a repeated add adds again), so each attempt first looks at the cart: a line that is
        /// there gets its quantity set (PUT, idempotent); a missing one is added once, and an add whose answer was lost is
        /// found in the cart by the next attempt.
        /// </summary>
        async Task SetQuantity(Guid product, int quantity)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(4);
            while (true)
            {
                using var cartResponse = await Send(() => new HttpRequestMessage(HttpMethod.Get, "api/cart"), HttpStatusCode.OK);
                var cart = (await cartResponse.Content.ReadFromJsonAsync<ShopApi.Cart>(ShopApi.Json))!;
                var line = cart.Items.FirstOrDefault(i => i.ProductId == product);
                if (line is not null)
                {
                    if (line.Quantity != quantity)
                        (await Send(() => Json(HttpMethod.Put, $"api/cart/items/{product}", new { quantity }), HttpStatusCode.OK)).Dispose();
                    return;
                }
                try
                {
                    using var added = await _http.SendAsync(Json(HttpMethod.Post, "api/cart/items", new { productId = product, quantity }));
                    if (added.StatusCode == HttpStatusCode.OK)
                        return;
                    if ((int)added.StatusCode < 500)
                        throw new InvalidOperationException($"adding to the cart answered {(int)added.StatusCode}: {await added.Content.ReadAsStringAsync()}");
                }
                catch (HttpRequestException) { }
                catch (TaskCanceledException) { }
                test.CountTransientFailure();
                if (DateTime.UtcNow > deadline)
                    throw new TimeoutException($"could not add {product} to the cart");
                await Task.Delay(300);
            }
        }

        public async Task Cancel(Guid orderId)
        {
            // Right after checkout the order may not be visible yet (404); later it may already be past cancelling (409).
            for (var attempt = 0; attempt < 100; attempt++)
            {
                using var response = await Send(() => new HttpRequestMessage(HttpMethod.Post, $"api/orders/{orderId}/cancel"),
                    HttpStatusCode.Accepted, HttpStatusCode.NotFound, HttpStatusCode.Conflict);
                if (response.StatusCode != HttpStatusCode.NotFound)
                    return;
                await Task.Delay(200);
            }
        }

        public async Task<ShopApi.Order?> Order(Guid orderId)
        {
            using var response = await Send(() => new HttpRequestMessage(HttpMethod.Get, $"api/orders/{orderId}"), HttpStatusCode.OK, HttpStatusCode.NotFound);
            return response.StatusCode == HttpStatusCode.NotFound ? null : await response.Content.ReadFromJsonAsync<ShopApi.Order>(ShopApi.Json);
        }

        public async Task<ShopApi.Payment> Payment(Guid orderId)
        {
            using var response = await Send(() => new HttpRequestMessage(HttpMethod.Get, $"api/payments/{orderId}"), HttpStatusCode.OK);
            return (await response.Content.ReadFromJsonAsync<ShopApi.Payment>(ShopApi.Json))!;
        }

        public async Task<ShopApi.Stock> Stock(Guid productId)
        {
            using var response = await Send(() => new HttpRequestMessage(HttpMethod.Get, $"api/products/{productId}/stock"), HttpStatusCode.OK);
            return (await response.Content.ReadFromJsonAsync<ShopApi.Stock>(ShopApi.Json))!;
        }

        public async Task<IReadOnlyList<string>> DeadLetters(string service)
        {
            using var response = await Send(() => new HttpRequestMessage(HttpMethod.Get, $"api/admin/{service}/errors"), HttpStatusCode.OK);
            using var document = await System.Text.Json.JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync());
            return document.RootElement.GetProperty("messages").EnumerateArray()
                .Select(m => $"{m.GetProperty("messageType")} ({m.GetProperty("faultMessage")})").ToList();
        }

        static HttpRequestMessage Json(HttpMethod method, string path, object body) =>
            new(method, path) { Content = JsonContent.Create(body, options: ShopApi.Json) };

        /// <summary>Sends until an expected status arrives; connection failures, timeouts and 5xx mean "away, try again".</summary>
        async Task<HttpResponseMessage> Send(Func<HttpRequestMessage> request, params HttpStatusCode[] expected)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(4);
            while (true)
            {
                string problem;
                try
                {
                    var response = await _http.SendAsync(request());
                    if (expected.Contains(response.StatusCode))
                        return response;
                    problem = $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
                    if ((int)response.StatusCode < 500)
                        throw new InvalidOperationException($"unexpected answer {problem}");
                    response.Dispose();
                }
                catch (HttpRequestException exception)
                {
                    problem = exception.Message;
                }
                catch (TaskCanceledException exception)
                {
                    problem = exception.Message;
                }
                test.CountTransientFailure();
                if (DateTime.UtcNow > deadline)
                    throw new TimeoutException($"gave up retrying: {problem}");
                await Task.Delay(300);
            }
        }
    }
}
