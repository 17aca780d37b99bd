using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;
using Shop.Testing;
using Shop.Testing.Fakes;
using Xunit;
using Xunit.Abstractions;

namespace Shop.Resilience.Tests;

/// <summary>
/// Hundreds of checkouts through the real processes — two instances each of orders, inventory and payments, payments
/// charged by the Stripe provider (Stripe.net) at a Stripe-compatible fake that counts what really moved — while a chaos
/// loop SIGKILLs every service instance at random moments, RabbitMQ is SIGKILLed once and PostgreSQL crashed once
/// (immediate stop), each restarted. After the drain every promise of docs/GUARANTEES.md is checked on the real state:
/// sagas and orders terminal, outboxes sent, queues (error and skipped ones too) empty, stock arithmetic per product,
/// one capture per confirmed order at the provider, refunds where nothing was delivered and none where it was, one
/// confirmation email per completed order. `./shop test` runs it with 200 checkouts, `./shop chaos --orders N` with N.
/// </summary>
public sealed class CrashTest(ITestOutputHelper output) : IAsyncLifetime
{
    const int DefaultCheckouts = 200;
    const int Shoppers = 20;
    const int ProductCount = 6;
    static readonly string[] Terminal = ["Completed", "Failed", "Cancelled", "Refunded"];
    /// <summary>Stripe's test card that asks for 3-D Secure: the fake leaves it requires_action, so it never settles.</summary>
    const string NeverAnsweringCard = "pm_card_authenticationRequired";

    readonly int _checkouts = CheckoutsFromEnvironment();
    readonly ShopCluster _cluster = new()
    {
        Replicas = { ["orders"] = 2, ["inventory"] = 2, ["payments"] = 2 },
        GatewayRoutesToAllReplicas = true,
        Settings =
        {
            // Longer than a broker or database outage plus MassTransit's reconnect backoff (which grows to ~20 s), so
            // payments that were merely delayed still complete; the never-answering card times out.
            ["Checkout:PaymentTimeout"] = "00:01:30",
            // Redeliveries come back within seconds here rather than minutes, so the drain stays short.
            ["Messaging:RedeliveryIntervals"] = "00:00:02,00:00:05,00:00:15,00:00:30,00:01:00",
            // The test creates its own products; two inventory instances seeding a demo catalog would only add noise.
            ["Inventory:SeedDemoCatalog"] = "false",
            // Shoppers sign in once; a long chaos run must not turn into a token-refresh test.
            ["Jwt:AccessTokenMinutes"] = "600",
            // One re-check of a charge the provider left open (the never-answering card), due before its order times out;
            // the default keeps re-checking for hours, and after the drain every outbox must be empty.
            ["Payments:Reconciliation:FirstDelay"] = "00:00:30",
            ["Payments:Reconciliation:MaxAttempts"] = "1",
        },
    };

    FakeStripe _stripe = null!;
    readonly ConcurrentDictionary<string, int> _kills = new();
    readonly ConcurrentQueue<string> _outages = new();
    readonly ConcurrentBag<PlacedOrder> _orders = [];
    int _brokerKills;
    /// <summary>The server outage under way, for a failure message: what was crashed and when.</summary>
    volatile string? _outageUnderway;
    int _databaseCrashes;
    int _transientFailures;

    int Total => Shoppers * CheckoutsPerShopper;
    int CheckoutsPerShopper => (_checkouts + Shoppers - 1) / Shoppers;
    /// <summary>80 units per product for 200 checkouts (some orders run out of stock), scaled with the size.</summary>
    int InitialStock => 80 * Total / DefaultCheckouts;

    record PlacedOrder(Guid OrderId, ShopperClient Owner, IReadOnlyDictionary<Guid, int> Lines, string PaymentMethod, bool CancelRequested);

    static int CheckoutsFromEnvironment()
    {
        var value = Environment.GetEnvironmentVariable("SHOP_CRASH_ORDERS");
        if (string.IsNullOrWhiteSpace(value))
            return DefaultCheckouts;
        return int.TryParse(value, out var checkouts) && checkouts >= Shoppers
            ? checkouts
            : throw new InvalidOperationException($"SHOP_CRASH_ORDERS must be a number of checkouts of at least {Shoppers}, not '{value}'.");
    }

    public async Task InitializeAsync()
    {
        _stripe = await FakeStripe.StartAsync();
        _cluster.Settings["Stripe:SecretKey"] = FakeStripe.SecretKey;
        _cluster.Settings["Stripe:ApiBase"] = _stripe.BaseAddress.ToString();
        _cluster.Settings["Stripe:WebhookSecret"] = _stripe.WebhookSecret;
        // The cluster's own mail sink (a real SMTP server) receives every email: verification links and confirmations.
        _cluster.StartupTimeout = TimeSpan.FromMinutes(5);
        await _cluster.StartAsync("crash");
        // Stripe's webhooks race the charge consumer and the reconciliation for the same payments, as in production.
        _stripe.WebhookUrl = new Uri(_cluster.GatewayAddress, "api/payments/webhooks/stripe");
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _stripe.DisposeAsync();
    }

    sealed record FaultCommands(string KillBroker, string RestartBroker, string CrashDatabase, string RestartDatabase);

    static FaultCommands Commands()
    {
        string Required(string variable, string what)
        {
            var command = Environment.GetEnvironmentVariable(variable);
            Assert.False(string.IsNullOrWhiteSpace(command),
                $"{variable} ({what}) is not set: run the crash test with `./shop test` or `./shop chaos`, which set it.");
            return command!;
        }
        return new FaultCommands(
            Required("SHOP_TEST_RABBITMQ_KILL", "the command that SIGKILLs the test RabbitMQ"),
            Required("SHOP_TEST_RABBITMQ_RESTART", "the command that starts it again"),
            Required("SHOP_TEST_POSTGRES_KILL", "the command that stops the test PostgreSQL in immediate mode"),
            Required("SHOP_TEST_POSTGRES_RESTART", "the command that starts it again"));
    }

    [Fact]
    public async Task Checkouts_survive_killed_services_broker_and_database_with_every_invariant_intact()
    {
        var commands = Commands();
        var admin = new ShopperClient(_cluster.GatewayAddress, this);
        await admin.Login(_cluster.AdminEmail, _cluster.AdminPassword);
        var products = new List<Guid>();
        for (var i = 0; i < ProductCount; i++)
            products.Add(await admin.CreateProduct($"CRASH-{i}-{Guid.NewGuid():N}"[..20], $"Crash test product {i}", 10m + i, InitialStock));

        var clock = Stopwatch.StartNew();
        using var chaos = new CancellationTokenSource();
        var submitted = 0;
        var everyoneHit = new TaskCompletionSource();
        var monkey = Task.Run(() => Chaos(commands, () => Volatile.Read(ref submitted), everyoneHit, chaos.Token));

        var shoppers = Task.WhenAll(Enumerable.Range(0, Shoppers).Select(async shopper =>
        {
            var random = new Random(shopper * 7919);
            var client = new ShopperClient(_cluster.GatewayAddress, this);
            await client.SignUp($"crash-{shopper}-{Guid.NewGuid():N}@shop.test");
            for (var i = 0; i < CheckoutsPerShopper; i++)
            {
                var lines = products.OrderBy(_ => random.Next()).Take(random.Next(1, 3)).ToDictionary(p => p, _ => random.Next(1, 4));
                var paymentMethod = random.Next(100) switch { < 80 => "pm_card_visa", < 95 => "pm_card_chargeDeclined", _ => NeverAnsweringCard };
                var orderId = await client.Checkout(lines, paymentMethod);
                var cancel = random.Next(100) < 8;
                if (cancel)
                    await client.Cancel(orderId);
                _orders.Add(new PlacedOrder(orderId, client, lines, paymentMethod, cancel));
                Interlocked.Increment(ref submitted);
            }
        }));
        // A chaos loop that failed (a fault command did not work) ends the test at once rather than after the shoppers.
        await Task.WhenAny(shoppers, monkey);
        if (monkey.IsCompleted)
            await monkey;
        await shoppers;
        var submittedAt = clock.Elapsed;

        // The chaos goes on until every instance has been killed at least once and both servers crashed. A server's restart
        // may retry its boot (./shop gives the broker three boots of up to 4 minutes each), hence the generous bound; a
        // fault command that failed ends the wait at once, with its own output.
        var chaosBound = TimeSpan.FromMinutes(15);
        if (await Task.WhenAny(everyoneHit.Task, monkey, Task.Delay(chaosBound)) == monkey)
            await monkey;
        Assert.True(everyoneHit.Task.IsCompleted, $"the chaos was not over {chaosBound} after the last checkout: {ChaosProgress()}\n{ChaosFigures()}");
        await chaos.CancelAsync();
        await monkey;
        foreach (var process in AllInstances())
        {
            if (!process.IsRunning)
                process.Start();
            await process.WaitUntilReadyAsync(TimeSpan.FromMinutes(3));
        }
        var chaosEndedAt = clock.Elapsed;

        // Drain: every order must reach a terminal state within the bound.
        var drainBound = TimeSpan.FromMinutes(6) + TimeSpan.FromSeconds(0.3 * Math.Max(0, Total - DefaultCheckouts));
        var drainDeadline = DateTime.UtcNow + drainBound;
        var final = new Dictionary<Guid, ShopApi.Order>();
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
                if (DateTime.UtcNow >= drainDeadline)
                {
                    // The figures of the chaos go into the report (and the message) even when the drain fails.
                    // Where its messages wait comes first: CI keeps only the first line of a failure.
                    var failure = $"order {order.OrderId} still {current?.Status ?? "invisible"} {drainBound} after the chaos ended " +
                                  $"({await WhereMessagesWait()}): " + string.Join(" -> ", current?.Timeline.Select(t => t.Status) ?? []);
                    var partial = $"crash test FAILED: {failure}\n  {_orders.Count} checkouts in {submittedAt.TotalSeconds:0}s; chaos ended at " +
                                  $"{chaosEndedAt.TotalSeconds:0}s; {final.Count} orders terminal\n{ChaosFigures()}";
                    await WriteReport(partial);
                    Assert.Fail(partial + "\n" + _cluster.Logs(15));
                }
                await Task.Delay(250);
            }
        }
        var terminalAt = clock.Elapsed;

        // Late answers: every other 3-D Secure payment succeeds now, after its order timed out (or was cancelled), and
        // Stripe's webhook says so. Money that arrives for a closed order must go back.
        var lateCaptures = 0;
        foreach (var order in _orders.Where(o => o.PaymentMethod == NeverAnsweringCard).OrderBy(o => o.OrderId).Where((_, i) => i % 2 == 0))
        {
            foreach (var intent in _stripe.IntentsOf(order.OrderId).Where(i => (string?)i["status"] == "requires_action"))
            {
                await _stripe.SettleAsync((string)intent["id"]!, succeed: true);
                lateCaptures++;
            }
        }

        // Then what follows a terminal order (a late refund, the confirmation email, the last outbox rows and acks) must
        // settle too; the checks below say exactly what did not.
        NpgsqlConnection.ClearAllPools(); // the database crashed under the pool this process opened before
        var settled = await Settle(final, drainDeadline + TimeSpan.FromMinutes(2));
        var settledAt = clock.Elapsed;

        var report = new StringBuilder();
        report.AppendLine($"crash test: {_orders.Count} checkouts by {Shoppers} shoppers in {submittedAt.TotalSeconds:0}s; chaos ended at " +
                          $"{chaosEndedAt.TotalSeconds:0}s; every order terminal {(terminalAt - chaosEndedAt).TotalSeconds:0}s later, all settled after " +
                          $"{(settledAt - chaosEndedAt).TotalSeconds:0}s{(settled ? "" : " (NOT settled within the bound)")}");
        report.Append(ChaosFigures());
        report.AppendLine($"  late captures (3-D Secure confirmed after the order had closed, by webhook): {lateCaptures}");
        report.AppendLine($"  outcomes: {string.Join(", ", final.Values.GroupBy(o => o.FailureReason is null ? o.Status : $"{o.Status}({o.FailureReason})").OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}"))}");

        try
        {
            await CheckSagas(final, report);
            await CheckMessaging(admin, report);
            await CheckStock(admin, products, final, report);
            await CheckPayments(final, report);
            await CheckEmails(final, report);
        }
        catch (Exception exception)
        {
            // The figures gathered so far and the invariant that broke go into the report too: a long run is worth its numbers.
            report.AppendLine($"  FAILED: {exception.Message}");
            throw;
        }
        finally
        {
            output.WriteLine(report.ToString());
            Console.WriteLine(report.ToString());
            await WriteReport(report.ToString());
        }

        Assert.True(AllInstances().All(p => _kills.GetValueOrDefault(p.Name) >= 1), $"not every instance was killed: {report}");
        Assert.Equal(1, _brokerKills);
        Assert.Equal(1, _databaseCrashes);
    }

    /// <summary>How far the chaos got: what a wait for it that ran out reports.</summary>
    string ChaosProgress()
    {
        var spared = AllInstances().Select(i => i.Name).Where(name => !_kills.ContainsKey(name)).ToList();
        return $"broker kills {_brokerKills} of 1, database crashes {_databaseCrashes} of 1, instances not killed yet: " +
               $"{(spared.Count == 0 ? "none" : string.Join(", ", spared))}; outage under way: {_outageUnderway ?? "none"}";
    }

    /// <summary>What the chaos did: instances, kills, server outages, retries.</summary>
    string ChaosFigures()
    {
        var figures = new StringBuilder();
        figures.AppendLine($"  instances: {string.Join(", ", ShopCluster.ServiceProjects.Select(s => $"{s.Name} x{_cluster.Instances(s.Name).Count}"))}; " +
                           "payments through the Stripe provider (Stripe.net) at the fake");
        figures.AppendLine($"  kills (SIGKILL, each followed by a restart): {string.Join(", ", _kills.OrderBy(k => k.Key).Select(k => $"{k.Key} {k.Value}"))} " +
                           $"(total {_kills.Values.Sum()})");
        figures.AppendLine($"  servers: {string.Join("; ", _outages)}");
        figures.AppendLine($"  retries: {_transientFailures} shopper requests repeated after a failure (service, broker or database away); " +
                           $"{CountLogLines("Retrying ")} in-place message retries and {CountLogLines("already handled message")} duplicates dropped " +
                           "by the inboxes (service logs)");
        return figures.ToString();
    }

    /// <summary>.shop/test-results/crash-test.txt, or chaos-N-orders.txt for a sized run (./shop chaos prints it).</summary>
    async Task WriteReport(string report)
    {
        var results = Environment.GetEnvironmentVariable("SHOP_TEST_RESULTS") is { Length: > 0 } configured
            ? configured
            : Path.Combine(RepositoryLayout.Root, ".shop", "test-results");
        Directory.CreateDirectory(results);
        var name = Environment.GetEnvironmentVariable("SHOP_CRASH_ORDERS") is { Length: > 0 } ? $"chaos-{_checkouts}-orders.txt" : "crash-test.txt";
        await File.WriteAllTextAsync(Path.Combine(results, name), report);
    }

    IEnumerable<ServiceProcess> AllInstances() => ShopCluster.ServiceProjects.SelectMany(s => _cluster.Instances(s.Name));

    async Task Chaos(FaultCommands commands, Func<int> submitted, TaskCompletionSource everyoneHit, CancellationToken stop)
    {
        var random = new Random(42);
        var instances = AllInstances().ToArray();
        // Every instance dies at least once per round, in a random order each round.
        var victims = new Queue<ServiceProcess>();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(random.Next(1500, 4000)), stop);
                if (_brokerKills == 0 && submitted() >= Total * 3 / 10)
                {
                    await Outage("RabbitMQ SIGKILLed", commands.KillBroker, commands.RestartBroker, TimeSpan.FromMilliseconds(random.Next(2000, 6000)));
                    Interlocked.Increment(ref _brokerKills);
                    continue;
                }
                if (_databaseCrashes == 0 && submitted() >= Total * 6 / 10)
                {
                    // Down for longer than a message's in-place retries (8.85 s in all), so that the messages consumed meanwhile
                    // take the redelivery that waits for the database, and requests get their 503s.
                    await Outage("PostgreSQL stopped in immediate mode", commands.CrashDatabase, commands.RestartDatabase,
                        TimeSpan.FromMilliseconds(random.Next(10_000, 14_000)));
                    Interlocked.Increment(ref _databaseCrashes);
                    continue;
                }
                if (victims.Count == 0)
                    foreach (var instance in instances.OrderBy(_ => random.Next()))
                        victims.Enqueue(instance);
                var victim = victims.Dequeue();
                if (!victim.IsRunning)
                    continue;
                victim.Kill();
                _kills.AddOrUpdate(victim.Name, 1, (_, count) => count + 1);
                await Task.Delay(TimeSpan.FromMilliseconds(random.Next(300, 2500)), CancellationToken.None);
                victim.Start();
                if (_brokerKills > 0 && _databaseCrashes > 0 && instances.All(i => _kills.ContainsKey(i.Name)))
                    everyoneHit.TrySetResult();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>Crashes a server, leaves it down for a while, starts it again; records how long it was away.</summary>
    async Task Outage(string what, string crash, string restart, TimeSpan downFor)
    {
        var down = Stopwatch.StartNew();
        _outageUnderway = $"{what} at {DateTime.UtcNow:HH:mm:ss} UTC, not back yet";
        await RunCommand(crash);
        await Task.Delay(downFor, CancellationToken.None);
        await RunCommand(restart);
        _outageUnderway = null;
        _outages.Enqueue($"{what} once, back after {down.Elapsed.TotalSeconds:0.0}s");
    }

    static async Task RunCommand(string command)
    {
        using var process = Process.Start(new ProcessStartInfo("bash", ["-c", command])
            { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
        var standardOutput = process.StandardOutput.ReadToEndAsync();
        var standardError = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"`{command}` exited {process.ExitCode}: {await standardOutput}{await standardError}");
    }

    /// <summary>
    /// Waits until nothing is in flight any more, for 10 s in a row (the broker's queue figures lag by up to 5 s): no outbox
    /// row left, every queue empty with nothing unacknowledged, each saga's state shown by its order (a cancellation
    /// accepted before the order completed may still turn it into Refunded), every captured-but-undelivered order refunded
    /// at the provider, every recorded confirmation received. Refreshes <paramref name="final"/>. False when the deadline
    /// passed first; the checks then name what is missing.
    /// </summary>
    async Task<bool> Settle(Dictionary<Guid, ShopApi.Order> final, DateTime deadline)
    {
        DateTime? quietSince = null;
        while (true)
        {
            var outstanding = (await UnsentOutboxRows()).Count + (await BusyQueues()).Count;
            foreach (var (orderId, state) in await SagaStates())
            {
                if (!final.TryGetValue(orderId, out var order) || order.Status == state)
                    continue;
                final[orderId] = await _orders.First(o => o.OrderId == orderId).Owner.Order(orderId) ?? order;
                outstanding += final[orderId].Status == state ? 0 : 1;
            }
            var providerOrders = _stripe.Orders();
            outstanding += final.Values.Count(o => !Delivered(o) && providerOrders.TryGetValue(o.OrderId, out var p) && p.CapturedAmount != p.RefundedAmount);
            var confirmations = (await _cluster.Mail.EmailsAsync()).Where(e => e.Header("X-Shop-Notification") == "OrderConfirmed")
                .Select(e => e.Header("X-Shop-Order-Id")).ToHashSet();
            outstanding += final.Values.Count(o => ConfirmationSent(o) && !confirmations.Contains(o.OrderId.ToString()));
            if (outstanding > 0)
                quietSince = null;
            else if ((quietSince ??= DateTime.UtcNow) < DateTime.UtcNow - TimeSpan.FromSeconds(10))
                return true;
            if (DateTime.UtcNow > deadline)
                return false;
            await Task.Delay(1000);
        }
    }

    async Task<Dictionary<Guid, string>> SagaStates()
    {
        var states = new Dictionary<Guid, string>();
        await using var connection = await OpenDatabase();
        await using var command = new NpgsqlCommand("select id, data->>'CurrentState' from orders.mt_doc_checkoutstate", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            states[reader.GetGuid(0)] = reader.GetString(1);
        return states;
    }

    /// <summary>Completed and not cancelled: the customer keeps the goods and the money stays captured.</summary>
    static bool Delivered(ShopApi.Order order) => order.Status == "Completed" && !CancellationAccepted(order);

    static bool CancellationAccepted(ShopApi.Order order) => order.Status == "Cancelled" || order.Timeline.Any(t => t.Status == "CancellationRequested");

    static bool Confirmed(ShopApi.Order order) => order.Timeline.Any(t => t.Status == "Confirmed");

    /// <summary>The saga recorded that the confirmation email went out (CustomerNotified for OrderConfirmed).</summary>
    static bool ConfirmationSent(ShopApi.Order order) => order.Timeline.Any(t => t.Status == "CustomerNotified" && t.Detail == "OrderConfirmed");

    async Task CheckSagas(Dictionary<Guid, ShopApi.Order> final, StringBuilder report)
    {
        var states = await SagaStates();
        var missing = final.Keys.Where(id => !states.ContainsKey(id)).ToList();
        Assert.True(missing.Count == 0, $"orders without a saga: {string.Join(", ", missing)}");
        var unfinished = states.Where(s => !Terminal.Contains(s.Value)).Select(s => $"{s.Key} {s.Value}").ToList();
        Assert.True(unfinished.Count == 0, $"sagas not in a terminal state: {string.Join(", ", unfinished)}");
        var disagreeing = final.Values.Where(o => states[o.OrderId] != o.Status).Select(o => $"{o.OrderId}: saga {states[o.OrderId]}, order {o.Status}").ToList();
        Assert.True(disagreeing.Count == 0, $"order read model and saga disagree: {string.Join("; ", disagreeing)}");
        report.AppendLine($"  sagas: {states.Count} (one per order), all terminal and equal to their order's status: " +
                          string.Join(", ", states.Values.GroupBy(s => s).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}")));
    }

    async Task CheckMessaging(ShopperClient admin, StringBuilder report)
    {
        var unsent = await UnsentOutboxRows();
        Assert.True(unsent.Count == 0, $"outbox rows left (unsent, dead or scheduled): {string.Join("; ", unsent)}");
        var queues = await _cluster.VirtualHost.QueuesAsync();
        var deadLetters = queues.Where(q => q.Name.EndsWith("_error", StringComparison.Ordinal) || q.Name.EndsWith("_skipped", StringComparison.Ordinal))
            .Where(q => q.Ready is not 0 || q.Unacknowledged is not 0).Select(Describe).ToList();
        Assert.True(deadLetters.Count == 0, $"messages in error or skipped queues: {string.Join("; ", deadLetters)}");
        var busy = await BusyQueues();
        Assert.True(busy.Count == 0, $"messages still waiting or unacknowledged: {string.Join("; ", busy)}");

        // Each instance's own figures since its last start (GET /admin/messaging), and what the inboxes hold for good.
        var figures = new List<string>();
        foreach (var service in ShopCluster.ServiceProjects.Select(s => s.Name).Where(s => s != "gateway"))
        {
            long consumed = 0, duplicates = 0, relayed = 0;
            foreach (var instance in _cluster.Instances(service))
            {
                using var status = await admin.GetJson(new Uri(instance.BaseAddress, "admin/messaging"));
                var root = status.RootElement;
                consumed += root.GetProperty("consumed").GetInt64();
                duplicates += root.GetProperty("duplicatesDropped").GetInt64();
                relayed += root.GetProperty("relaySent").GetInt64();
                var outbox = root.GetProperty("outbox");
                Assert.True(outbox.GetProperty("unsent").GetInt64() == 0 && outbox.GetProperty("dead").GetInt64() == 0 && outbox.GetProperty("scheduled").GetInt64() == 0,
                    $"{instance.Name} reports an outbox backlog: {outbox}");
            }
            figures.Add($"{service} {consumed}/{duplicates}/{relayed}");
        }
        var inboxes = await InboxRows();
        report.AppendLine("  messaging: every outbox empty (nothing unsent, dead or scheduled); " +
                          $"every queue empty, nothing unacknowledged, {queues.Count(q => q.Name.EndsWith("_error", StringComparison.Ordinal))} error and " +
                          $"{queues.Count(q => q.Name.EndsWith("_skipped", StringComparison.Ordinal))} skipped queues among {queues.Count} all empty");
        report.AppendLine($"  consumed exactly once (inbox rows): {string.Join(", ", inboxes.Select(i => $"{i.Key} {i.Value}"))}; " +
                          $"since each instance's last start consumed/duplicates dropped/relayed: {string.Join(", ", figures)}");
    }

    static string Describe(TestVirtualHost.QueueFigures queue) =>
        $"{queue.Name}: {queue.Ready?.ToString() ?? "?"} ready, {queue.Unacknowledged?.ToString() ?? "?"} unacknowledged";

    /// <summary>The queues and outbox rows still holding messages, for a failure's first line.</summary>
    async Task<string> WhereMessagesWait()
    {
        try
        {
            var busy = await BusyQueues();
            var unsent = await UnsentOutboxRows();
            return $"queues holding messages: {(busy.Count == 0 ? "none" : string.Join("; ", busy))}; " +
                   $"outbox rows left: {(unsent.Count == 0 ? "none" : string.Join("; ", unsent))}";
        }
        catch (Exception exception)
        {
            return $"queues and outboxes could not be read: {exception.Message}";
        }
    }

    async Task<List<string>> BusyQueues() =>
        (await _cluster.VirtualHost.QueuesAsync()).Where(q => q.Ready is not 0 || q.Unacknowledged is not 0).Select(Describe).ToList();

    /// <summary>
    /// Every outbox row of every service: after the drain there must be none — not sent, dead, or scheduled ahead (a
    /// redelivery or time-out still waiting would be a message still in flight).
    /// </summary>
    async Task<List<string>> UnsentOutboxRows()
    {
        var rows = new List<string>();
        await using var connection = await OpenDatabase();
        foreach (var schema in await OutboxSchemas(connection))
        {
            await using var command = new NpgsqlCommand(
                $"""
                 select message_type, count(*), bool_or(dead_at is not null), min(scheduled_for)
                 from {schema}.outbox
                 group by message_type
                 """, connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                rows.Add($"{schema}: {reader.GetInt64(1)} x {reader.GetString(0)}{(reader.GetBoolean(2) ? " (dead)" : "")}" +
                         (reader.IsDBNull(3) ? "" : $" scheduled for {reader.GetDateTime(3):O}"));
        }
        return rows;
    }

    async Task<SortedDictionary<string, long>> InboxRows()
    {
        var counts = new SortedDictionary<string, long>();
        await using var connection = await OpenDatabase();
        foreach (var schema in await OutboxSchemas(connection))
        {
            await using var command = new NpgsqlCommand($"select count(*) from {schema}.inbox", connection);
            counts[schema] = (long)(await command.ExecuteScalarAsync())!;
        }
        return counts;
    }

    static async Task<List<string>> OutboxSchemas(NpgsqlConnection connection)
    {
        var schemas = new List<string>();
        await using var command = new NpgsqlCommand(
            "select table_schema from information_schema.tables where table_name = 'outbox' order by table_schema", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            schemas.Add(reader.GetString(0));
        Assert.True(schemas.Count >= 5, $"expected an outbox in each service schema, found: {string.Join(", ", schemas)}");
        return schemas;
    }

    async Task<NpgsqlConnection> OpenDatabase()
    {
        // No pooling: a connection that outlived the database crash must not be handed back.
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_cluster.Database.ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    async Task CheckStock(ShopperClient admin, List<Guid> products, Dictionary<Guid, ShopApi.Order> final, StringBuilder report)
    {
        // Units leave the shelf when an order's stock is committed (the order is confirmed); a cancellation after that (the
        // orders never ship here) refunds the money and then restocks the units (CheckoutStateMachine), so the units of
        // every confirmed order that did not end Refunded are gone.
        var soldByOrders = products.ToDictionary(p => p, _ => 0);
        foreach (var order in _orders.Where(o => Confirmed(final[o.OrderId]) && final[o.OrderId].Status != "Refunded"))
            foreach (var (product, quantity) in order.Lines)
                soldByOrders[product] += quantity;

        foreach (var product in products)
        {
            var stock = await admin.Stock(product);
            Assert.True(stock.Reserved == 0, $"product {product}: {stock.Reserved} units still reserved after every order ended");
            Assert.True(stock.OnHand == InitialStock - soldByOrders[product],
                $"product {product}: on hand {stock.OnHand}, but {InitialStock} initial - {soldByOrders[product]} units of confirmed, unrefunded orders = " +
                $"{InitialStock - soldByOrders[product]}");
            Assert.True(stock.Sold == soldByOrders[product], $"product {product}: inventory counts {stock.Sold} sold, confirmed orders hold {soldByOrders[product]}");
        }
        report.AppendLine($"  stock: {products.Count} products of {InitialStock}: on hand = initial - units of confirmed, unrefunded orders for each, nothing reserved, " +
                          $"sold counters agree ({soldByOrders.Values.Sum()} units sold of {products.Count * InitialStock})");
    }

    async Task CheckPayments(Dictionary<Guid, ShopApi.Order> final, StringBuilder report)
    {
        var provider = _stripe.Orders();
        var strangers = provider.Keys.Where(id => !final.ContainsKey(id)).ToList();
        Assert.True(strangers.Count == 0, $"the provider holds payments of orders nobody placed: {string.Join(", ", strangers)}");

        // Shop's own ledger must know every capture the provider made, once.
        var ledgerCaptures = new Dictionary<Guid, int>();
        await using (var connection = await OpenDatabase())
        {
            await using var command = new NpgsqlCommand(
                "select stream_id, count(*) from payments.mt_events where type = 'payment_captured' group by stream_id", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                ledgerCaptures[reader.GetGuid(0)] = (int)reader.GetInt64(1);
        }

        int confirmed = 0, delivered = 0, refundedUndelivered = 0, intents = 0;
        foreach (var order in final.Values)
        {
            var money = provider.GetValueOrDefault(order.OrderId);
            var captures = money?.Captures ?? 0;
            intents += money?.Intents ?? 0;
            Assert.True(captures <= 1, $"order {order.OrderId} was captured {captures} times at the provider: {string.Join(", ", money?.CapturesByIntent ?? new Dictionary<string, int>())}");
            Assert.True(ledgerCaptures.GetValueOrDefault(order.OrderId) == captures,
                $"order {order.OrderId}: the provider captured it {captures} times, Shop's ledger records {ledgerCaptures.GetValueOrDefault(order.OrderId)}");
            if (Confirmed(order))
            {
                confirmed++;
                Assert.True(captures == 1, $"confirmed order {order.OrderId} ({order.Status}) has {captures} captures at the provider");
            }
            if (Delivered(order))
            {
                delivered++;
                Assert.True(money is { Refunds: 0, RefundedAmount: 0 },
                    $"completed, uncancelled order {order.OrderId} was refunded {money?.RefundedAmount} in {money?.Refunds} refunds");
            }
            else
            {
                Assert.True((money?.CapturedAmount ?? 0) == (money?.RefundedAmount ?? 0),
                    $"order {order.OrderId} ended {order.Status} ({order.FailureReason}) with {money?.CapturedAmount} captured but {money?.RefundedAmount} refunded " +
                    "at the provider");
                if (captures > 0)
                    refundedUndelivered++;
            }
        }
        report.AppendLine($"  payments at the provider: {intents} PaymentIntents, {provider.Values.Sum(p => p.Captures)} captures, none twice for an order; " +
                          $"each of the {confirmed} confirmed orders captured exactly once and Shop's ledger agrees on every capture; " +
                          $"{delivered} completed uncancelled orders without any refund; {refundedUndelivered} captured orders that were failed, " +
                          "cancelled or refunded have refunded = captured, the others captured nothing");
    }

    async Task CheckEmails(Dictionary<Guid, ShopApi.Order> final, StringBuilder report)
    {
        var emails = await _cluster.Mail.EmailsAsync();
        var confirmations = emails.Where(e => e.Header("X-Shop-Notification") == "OrderConfirmed").GroupBy(e => e.Header("X-Shop-Order-Id")).ToList();
        var strangers = confirmations.Where(g => !Guid.TryParse(g.Key, out var id) || !final.ContainsKey(id)).Select(g => g.Key).ToList();
        Assert.True(strangers.Count == 0, $"confirmation emails for orders nobody placed: {string.Join(", ", strangers)}");
        var unconfirmed = confirmations.Where(g => !Confirmed(final[Guid.Parse(g.Key!)])).Select(g => g.Key).ToList();
        Assert.True(unconfirmed.Count == 0, $"confirmation emails for orders that were never confirmed: {string.Join(", ", unconfirmed)}");

        var completed = final.Values.Where(o => o.Status == "Completed" && !CancellationAccepted(o)).ToList();
        var notNotified = completed.Where(o => !ConfirmationSent(o)).Select(o => o.OrderId).ToList();
        Assert.True(notNotified.Count == 0, $"completed orders whose confirmation the saga never recorded: {string.Join(", ", notNotified)}");
        var sent = final.Values.Where(ConfirmationSent).ToList();
        var missing = sent.Where(o => confirmations.All(g => g.Key != o.OrderId.ToString())).Select(o => o.OrderId).ToList();
        Assert.True(missing.Count == 0, $"orders whose confirmation was recorded as sent but never arrived: {string.Join(", ", missing)}");

        // The documented limit (GUARANTEES.md): a second copy only when the notification process died between the SMTP
        // server's 250 and recording it, and then with the same Message-ID. A dispatcher has at most MaxParallelSends
        // messages sent and not yet recorded at any moment, so: at most that many extra copies per kill of a notification
        // instance, and never a copy with another Message-ID (that would be a second notification).
        var duplicated = confirmations.Where(g => g.Count() > 1).ToList();
        var distinct = duplicated.Where(g => g.Select(e => e.Header("Message-ID")).Distinct().Count() > 1).Select(g => g.Key).ToList();
        Assert.True(distinct.Count == 0, $"orders confirmed by two different emails (not the same message resent): {string.Join(", ", distinct)}");
        var extraCopies = duplicated.Sum(g => g.Count() - 1);
        var notificationKills = _cluster.Instances("notifications").Sum(i => _kills.GetValueOrDefault(i.Name));
        var bound = notificationKills * NotificationSendsInFlight;
        Assert.True(extraCopies <= bound,
            $"{extraCopies} extra confirmation copies, more than the {bound} that {notificationKills} kills of the notification service could cause: " +
            string.Join(", ", duplicated.Select(g => $"{g.Key} x{g.Count()}")));
        report.AppendLine($"  emails: {emails.Count} received; {sent.Count} confirmations recorded, each received, {completed.Count} completed uncancelled " +
                          $"orders among them; {extraCopies} resent copies (same Message-ID; bound: {notificationKills} notification kills x {NotificationSendsInFlight} sends in flight)");
    }

    /// <summary>NotificationService's Notifications:Delivery:MaxParallelSends (its default; the cluster does not change it).</summary>
    const int NotificationSendsInFlight = 4;

    /// <summary>Lines containing the text in every service log of this run (the logs survive the kills: they are appended to).</summary>
    int CountLogLines(string text) =>
        Directory.EnumerateFiles(_cluster.LogDirectory, "*.log")
            .Sum(file =>
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                using var reader = new StreamReader(stream);
                var count = 0;
                while (reader.ReadLine() is { } line)
                    if (line.Contains(text, StringComparison.Ordinal))
                        count++;
                return count;
            });

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

        public async Task<ShopApi.Stock> Stock(Guid productId)
        {
            using var response = await Send(() => new HttpRequestMessage(HttpMethod.Get, $"api/products/{productId}/stock"), HttpStatusCode.OK);
            return (await response.Content.ReadFromJsonAsync<ShopApi.Stock>(ShopApi.Json))!;
        }

        /// <summary>GET of any address (e.g. one service instance's own admin endpoint) with this client's token.</summary>
        public async Task<JsonDocument> GetJson(Uri address)
        {
            using var response = await Send(() => new HttpRequestMessage(HttpMethod.Get, address), HttpStatusCode.OK);
            return await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync());
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
