using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Npgsql;
using Shop.Testing;
using Xunit;

namespace Shop.EndToEnd.Tests;

/// <summary>
/// shopctl, the operators' command line, as its built binary against the running system: it logs in at the gateway as
/// the admin and drives the services' admin APIs. Its output is checked as an operator would read it (tables) and as a
/// script would (--json).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class OperatorCliTests(ClusterFixture fixture)
{
    static readonly TimeSpan SagaTimeout = TimeSpan.FromSeconds(90);
    readonly ShopCluster _cluster = fixture.Cluster;

    [Fact]
    public async Task Operators_inspect_time_travel_and_replay_an_order_with_shopctl()
    {
        using var shopper = _cluster.Api();
        var email = await shopper.SignUpCustomer("Olga Operator-Test");
        var customerId = (await shopper.Get<JsonElement>("api/auth/me")).GetProperty("id").GetGuid();
        var product = await FirstProduct(shopper);
        var cartId = (await shopper.AddToCart(product.Id, 1)).Id!.Value;
        var orderId = await shopper.Checkout("pm_card_visa");
        var order = await shopper.WaitForOrder(orderId, SagaTimeout, "Completed", "Failed", "Cancelled");
        Assert.True(order.Status == "Completed", $"order ended {order.Status}\n{_cluster.Logs()}");

        // streams list: the customer's order, found by customer and status.
        var list = await Shopctl("streams", "list", "--type", "order", "--customer", customerId.ToString(), "--status", "Completed");
        Assert.Contains(orderId.ToString(), list.Out);
        Assert.Contains("Completed", list.Out);
        Assert.Contains("page 1 of 1, 1 in all", list.Out);
        var listJson = JsonDocument.Parse((await Shopctl("streams", "list", "--type", "order", "--customer", customerId.ToString(), "--json")).Out).RootElement;
        Assert.Equal(orderId, listJson.GetProperty("items").EnumerateArray().Single().GetProperty("id").GetGuid());

        // streams show: every event with the customer as the acting user, found without naming the type.
        var show = await Shopctl("streams", "show", orderId.ToString());
        foreach (var type in new[] { "OrderPlaced", "OrderStockReserved", "OrderPaymentCaptured", "OrderConfirmed", "OrderCompleted" })
            Assert.Contains(type, show.Out);
        Assert.Contains(email, show.Out);
        var events = JsonDocument.Parse((await Shopctl("streams", "show", orderId.ToString(), "--type", "order", "--json")).Out).RootElement
            .GetProperty("events").EnumerateArray().ToList();
        Assert.All(events, e => Assert.Equal(email, e.GetProperty("user").GetString()));
        Assert.All(events, e => Assert.Equal(orderId.ToString(), e.GetProperty("correlationId").GetString()));

        // The cart's events were appended by HTTP requests: the session recorded the authenticated customer.
        var cart = await Shopctl("streams", "show", cartId.ToString(), "--type", "cart");
        Assert.Contains("ItemAdded", cart.Out);
        Assert.Contains("CheckedOut", cart.Out);
        Assert.Contains(email, cart.Out);

        // The payment's ledger is a stream of the payment service; the product's stock history one of inventory.
        var payment = await Shopctl("streams", "show", orderId.ToString(), "--type", "payment");
        Assert.Contains("PaymentCaptured", payment.Out);
        Assert.Contains(email, payment.Out);
        var stockStreams = JsonDocument.Parse((await Shopctl("streams", "list", "--type", "stock", "--page-size", "200", "--json")).Out).RootElement;
        Assert.Contains(stockStreams.GetProperty("items").EnumerateArray(), s => s.GetProperty("id").GetGuid() == product.Id);
        var stock = await Shopctl("streams", "state", product.Id.ToString(), "--type", "stock", "--json");
        Assert.True(JsonDocument.Parse(stock.Out).RootElement.GetProperty("state").GetProperty("sold").GetInt32() >= 1);

        // streams state: time travel to the first event.
        var placed = JsonDocument.Parse((await Shopctl("streams", "state", orderId.ToString(), "--at-version", "1", "--json")).Out).RootElement;
        Assert.Equal("Placed", placed.GetProperty("state").GetProperty("status").GetString());
        var current = await Shopctl("streams", "state", orderId.ToString(), "--type", "order");
        Assert.Contains("\"Completed\"", current.Out);

        // sagas show: the checkout saga's row says Completed and finished, and it writes the order stream shown above.
        var saga = await Shopctl("sagas", "show", orderId.ToString());
        Assert.Matches(@"checkout\W+Completed\W+True\W", saga.Out); // the table's Saga, State and Finished cells of one row
        var sagaJson = JsonDocument.Parse((await Shopctl("sagas", "show", orderId.ToString(), "--json")).Out).RootElement;
        Assert.Equal(("checkout", "Completed", true), (sagaJson.GetProperty("saga").GetString(), sagaJson.GetProperty("state").GetString(),
            sagaJson.GetProperty("finished").GetBoolean()));
        Assert.Equal(events.Count, sagaJson.GetProperty("streamVersion").GetInt32());
        Assert.Equal(orderId, sagaJson.GetProperty("data").GetProperty("CorrelationId").GetGuid());
        var stuck = await Shopctl("sagas", "stuck", "--older-than", "01:00:00");
        Assert.Contains("stuck saga(s) idle for more than 01:00:00", stuck.Out);

        // projections list: each projection with its own service and lifecycle (one row each in the table).
        var projections = await Shopctl("projections", "list");
        Assert.Matches(@"orders\W+OrderDetails\W+Async\W", projections.Out);
        Assert.Matches(@"cart\W+Cart\W+Inline\W", projections.Out);
        Assert.Matches(@"payments\W+PaymentLedger\W+Inline\W", projections.Out);
        var projectionsJson = JsonDocument.Parse((await Shopctl("projections", "list", "--json")).Out).RootElement;
        string Lifecycle(string service, string projection) => projectionsJson.GetProperty(service).EnumerateArray()
            .Single(p => p.GetProperty("name").GetString() == projection).GetProperty("lifecycle").GetString()!;
        Assert.Equal(("Async", "Inline", "Inline"), (Lifecycle("orders", "OrderDetails"), Lifecycle("cart", "Cart"), Lifecycle("payments", "PaymentLedger")));
        var errors = await Shopctl("errors", "list");
        Assert.Contains("dead-lettered message(s)", errors.Out);
        var subscriptions = await Shopctl("subscriptions", "list");
        Assert.Contains("OrderStatusRelay", subscriptions.Out);
        Assert.Contains("outbox-relay", subscriptions.Out);

        // Online rebuild with the progress bar, then the projection keeps up.
        var rebuild = await Shopctl("projections", "rebuild", "OrderDetails");
        Assert.Contains("Rebuilt OrderDetails in orders", rebuild.Out);
        Assert.Equal("Completed", (await shopper.WaitForOrder(orderId, SagaTimeout, "Completed")).Status);
    }

    /// <summary>
    /// What an operator rewinds the status relay for: a consumer lost what it had been told (here the notification
    /// service's tracking feed loses an order's document) and gets it back from the order streams. A page read again
    /// whose changes a consumer already has changes nothing and leaves no inbox record (no transaction for a no-op), so
    /// the feed itself is the evidence, not a count of inbox rows.
    /// </summary>
    [Fact]
    public async Task A_rewound_status_relay_gives_a_feed_that_lost_an_order_every_change_again_once()
    {
        using var shopper = _cluster.Api();
        await shopper.SignUpCustomer("Rita Rewind-Test");
        var product = await FirstProduct(shopper);
        await shopper.AddToCart(product.Id, 1);
        var orderId = await shopper.Checkout("pm_card_visa");
        var order = await shopper.WaitForOrder(orderId, SagaTimeout, "Completed", "Failed", "Cancelled");
        Assert.True(order.Status == "Completed", $"order ended {order.Status}\n{_cluster.Logs()}");

        var trackedBefore = await WaitForTracking(shopper, orderId, entries: 5);
        var history = trackedBefore.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("status").GetString()).Order().ToList();
        Assert.Equal(new[] { "Completed", "Confirmed", "PaymentCaptured", "Placed", "StockReserved" }.Order(), history);

        // The feed loses the order (a restore from an older backup, a bad migration): the API no longer knows it.
        await using (var connection = new NpgsqlConnection(_cluster.Database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var delete = new NpgsqlCommand("delete from notifications.mt_doc_ordertracking where id = @id", connection);
            delete.Parameters.AddWithValue("id", orderId);
            Assert.Equal(1, await delete.ExecuteNonQueryAsync());
        }
        Assert.Equal(HttpStatusCode.NotFound, (await shopper.Http.GetAsync($"api/notifications/orders/{orderId}")).StatusCode);

        var rewind = await Shopctl("subscriptions", "rewind", "OrderStatusRelay", "--to", "0");
        Assert.Contains("Rewound OrderStatusRelay in orders", rewind.Out);

        // Every change comes back, each once, with its original version and time.
        var trackedAfter = await WaitForTracking(shopper, orderId, entries: 5);
        Assert.Equal(trackedBefore.GetProperty("history").GetRawText(), trackedAfter.GetProperty("history").GetRawText());
        Assert.Equal("Completed", trackedAfter.GetProperty("status").GetString());
    }

    static async Task<JsonElement> WaitForTracking(ShopApi shopper, Guid orderId, int entries)
    {
        JsonElement tracking = default;
        var last = "";
        var reached = await Poll.Until(async () =>
        {
            using var response = await shopper.Http.GetAsync($"api/notifications/orders/{orderId}");
            var body = await response.Content.ReadAsStringAsync();
            last = $"{(int)response.StatusCode} {body}";
            if (!response.IsSuccessStatusCode)
                return false;
            tracking = JsonDocument.Parse(body).RootElement.Clone();
            return tracking.GetProperty("history").GetArrayLength() >= entries;
        }, SagaTimeout, TimeSpan.FromMilliseconds(200));
        return reached ? tracking
            : throw new TimeoutException($"the order's tracking feed did not reach {entries} entries in {SagaTimeout}; last answer: {last}");
    }

    [Fact]
    public async Task Shopctl_reports_mistakes_in_one_line_and_fails()
    {
        var missing = await Shopctl(expectSuccess: false, "streams", "show", Guid.NewGuid().ToString());
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("No order, cart, payment or stock stream has that id.", missing.Err);

        var inline = await Shopctl(expectSuccess: false, "projections", "rebuild", "Cart");
        Assert.Equal(1, inline.ExitCode);
        Assert.Contains("projections rebuild -p Cart", inline.Err);

        var wrongPassword = await Run(["streams", "list", "--type", "order", "--gateway", _cluster.GatewayAddress.ToString(),
            "--email", _cluster.AdminEmail, "--password", "not the password"]);
        Assert.Equal(1, wrongPassword.ExitCode);
        Assert.Contains($"Login as {_cluster.AdminEmail} failed", wrongPassword.Err);

        var noCustomers = await Shopctl(expectSuccess: false, "streams", "list", "--type", "stock", "--customer", Guid.NewGuid().ToString());
        Assert.Equal(1, noCustomers.ExitCode);
        Assert.Contains("stock streams have no customer", noCustomers.Err);

        var usage = await Shopctl(expectSuccess: false, "streams", "list", "--type", "spaceship");
        Assert.NotEqual(0, usage.ExitCode);
        Assert.Contains("spaceship", usage.Err);
    }

    [Fact]
    public async Task Service_executables_run_Martens_command_line_when_given_a_command()
    {
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = _cluster.Database.ConnectionString,
            ["ConnectionStrings__RabbitMq"] = _cluster.VirtualHost.AmqpUri.ToString(),
            ["Jwt__SigningKey"] = _cluster.JwtSigningKey,
            ["Services__Inventory"] = _cluster.Service("inventory").BaseAddress.ToString(),
            ["Logging__Format"] = "text",
        };

        var projections = await RunDll(RepositoryLayout.ServiceDll("OrderSaga"), environment, "projections", "list");
        Assert.True(projections.ExitCode == 0, projections.Out + projections.Err);
        Assert.Contains("OrderDetails", projections.Out);
        Assert.Contains("Async", projections.Out);

        // The running services applied their schema, so the databases match the code.
        foreach (var service in new[] { "OrderSaga", "CartService" })
        {
            var assert = await RunDll(RepositoryLayout.ServiceDll(service), environment, "db-assert");
            Assert.True(assert.ExitCode == 0, $"{service} db-assert exited {assert.ExitCode}\n{assert.Out}{assert.Err}");
            Assert.Contains("No database differences", assert.Out);
        }
    }

    Task<CliRun> Shopctl(params string[] args) => Shopctl(expectSuccess: true, args);

    async Task<CliRun> Shopctl(bool expectSuccess, params string[] args)
    {
        var run = await Run([.. args, "--gateway", _cluster.GatewayAddress.ToString(), "--email", _cluster.AdminEmail, "--password", _cluster.AdminPassword]);
        if (expectSuccess)
            Assert.True(run.ExitCode == 0, $"shopctl {string.Join(' ', args)} exited {run.ExitCode}\n{run.Out}\n{run.Err}");
        return run;
    }

    static Task<CliRun> Run(string[] args) =>
        // Credentials come from the arguments only, never from the environment of whoever runs the tests.
        RunDll(Path.Combine(RepositoryLayout.Root, "src", "OperatorCli", "bin", RepositoryLayout.Configuration, "net10.0", "shopctl.dll"),
            new Dictionary<string, string?> { ["SHOP_TOKEN"] = null, ["SHOP_ADMIN_EMAIL"] = null, ["SHOP_ADMIN_PASSWORD"] = null, ["SHOP_GATEWAY"] = null },
            args);

    static async Task<CliRun> RunDll<TValue>(string dll, IReadOnlyDictionary<string, TValue> environment, params string[] args)
    {
        Assert.True(File.Exists(dll), $"{dll} is missing (run ./shop build)");
        var info = new ProcessStartInfo("dotnet", [dll, .. args])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        foreach (var (key, value) in environment)
        {
            if (value is null)
                info.Environment.Remove(key);
            else
                info.Environment[key] = value.ToString();
        }
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return new CliRun(process.ExitCode, await output, await error);
    }

    static async Task<ShopApi.Product> FirstProduct(ShopApi api)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var page = await api.Products("?pageSize=50&sort=price");
            if (page.Items.FirstOrDefault(p => p.Available > 5) is { } product)
                return product;
            await Task.Delay(200);
        }
        throw new TimeoutException("The demo catalog did not appear");
    }

    sealed record CliRun(int ExitCode, string Out, string Err);
}
