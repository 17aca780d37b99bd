using System.Diagnostics;
using System.Net;
using System.Text;
using Shop.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Shop.EndToEnd.Tests.Fuzz;

/// <summary>
/// Every operation of every OpenAPI document the gateway serves, sent through the gateway with random and adversarial
/// strings (control characters, unpaired surrogates, overlong text, odd unicode, huge numbers, wrong JSON types, malformed
/// and deeply nested JSON). Every request carries at least one value its operation must refuse, so besides "no 5xx"
/// the system must end exactly as it began: no request may answer 2xx with a change, and a fingerprint of every table of
/// every service schema and the dead-letter queues is the same before and after. GET operations also get valid-looking
/// odd values (search terms with quotes, emoji, right-to-left overrides...), which they may answer 200.
/// The seed is printed; SHOP_FUZZ_SEED repeats a run.
/// </summary>
[Collection(FuzzCollection.Name)]
public sealed class FuzzTests(FuzzFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Adversarial_input_to_every_documented_operation_gets_no_5xx_and_changes_nothing()
    {
        var cluster = fixture.Cluster;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("SHOP_FUZZ_SEED"), out var fixedSeed) ? fixedSeed : Random.Shared.Next();
        var random = new Random(seed);

        using var admin = cluster.Api();
        await admin.Login(cluster.AdminEmail, cluster.AdminPassword);
        var operations = await OpenApiOperations.LoadAsync(admin.Http);
        var plans = operations.SelectMany(o => FuzzPlan.For(o, fixture.Known, random)).ToList();

        var before = await StateFingerprint.TakeAsync(cluster);
        var clock = Stopwatch.StartNew();
        var results = new List<(FuzzRequest Request, int Status, string Body)>();
        using var anonymous = new HttpClient { BaseAddress = cluster.GatewayAddress, Timeout = TimeSpan.FromSeconds(60) };
        foreach (var batch in plans.Chunk(8))
        {
            results.AddRange(await Task.WhenAll(batch.Select(async plan =>
            {
                var client = plan.Anonymous ? anonymous : admin.Http;
                using var request = plan.ToHttpRequest();
                using var response = await client.SendAsync(request);
                var body = (int)response.StatusCode >= 200 && (int)response.StatusCode < 300 && plan.Method != "GET" || (int)response.StatusCode >= 500
                    ? await response.Content.ReadAsStringAsync()
                    : "";
                return (plan, (int)response.StatusCode, body);
            })));
        }
        var elapsed = clock.Elapsed;
        // Whatever a request set in motion (an outbox message, an email) has had time to happen.
        await Task.Delay(TimeSpan.FromSeconds(5));
        var after = await StateFingerprint.TakeAsync(cluster);

        var serverErrors = results.Where(r => r.Status >= 500).ToList();
        var accepted = results.Where(r => r.Request.Method != "GET" && r.Status is >= 200 and < 300).ToList();
        var changed = before.Differences(after);
        var report = new StringBuilder()
            .AppendLine($"Fuzz test (seed {seed}): {results.Count} requests to {operations.Count} documented operations through the gateway in {elapsed.TotalSeconds:F1} s")
            .AppendLine($"  statuses: {string.Join(", ", results.GroupBy(r => r.Status).OrderBy(g => g.Key).Select(g => $"{g.Key} x{g.Count()}"))}")
            .AppendLine($"  5xx: {serverErrors.Count}; state-changing requests answered 2xx: {accepted.Count}")
            .AppendLine($"  state: {(changed.Count == 0 ? $"unchanged ({before.Tables} tables in {StateFingerprint.Schemas.Length} schemas, dead letters {before.DeadLetters})" : "CHANGED: " + string.Join("; ", changed))}")
            .AppendLine($"  result: {(serverErrors.Count == 0 && accepted.Count == 0 && changed.Count == 0 ? "passed" : "FAILED")}");
        foreach (var (request, status, body) in serverErrors.Concat(accepted).Take(30))
            report.AppendLine($"    {status} {request.Describe()}: {body[..Math.Min(300, body.Length)]}");
        output.WriteLine(report.ToString());
        Console.WriteLine(report.ToString());
        var results_ = Path.Combine(RepositoryLayout.Root, ".shop", "test-results");
        Directory.CreateDirectory(results_);
        await File.WriteAllTextAsync(Path.Combine(results_, "fuzz.txt"), report.ToString());

        Assert.True(operations.Count >= 40, $"only {operations.Count} operations were found in the OpenAPI documents");
        Assert.True(serverErrors.Count == 0, report.ToString() + cluster.Logs(20));
        Assert.True(accepted.Count == 0, report.ToString());
        Assert.True(changed.Count == 0, report.ToString());
    }
}

[CollectionDefinition(Name)]
public sealed class FuzzCollection : ICollectionFixture<FuzzFixture>
{
    public const string Name = "fuzz";
}

/// <summary>Its own system: the fuzz test needs one that nothing else writes to while it compares before and after.</summary>
public sealed class FuzzFixture : IAsyncLifetime
{
    public ShopCluster Cluster { get; } = new();
    public KnownIds Known { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Cluster.StartAsync("fuzz");
        using var customer = Cluster.Api();
        await customer.SignUpCustomer("Fuzz Customer");
        ShopApi.ProductPage catalog = null!;
        if (!await Poll.Until(async () => (catalog = await customer.Products("?pageSize=50")).Total >= 12, TimeSpan.FromSeconds(120)))
            throw new TimeoutException("The demo catalog did not appear.");
        var product = catalog.Items.First(p => p.Available > 0);
        var cart = await customer.AddToCart(product.Id, 1);
        var me = (await customer.Get<Me>("api/auth/me"))!;
        Known = new KnownIds(product.Id, cart.Id!.Value, me.Id);
    }

    record Me(Guid Id);

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>Ids of things that exist, so that requests reach past "not found" into validation.</summary>
public sealed record KnownIds(Guid ProductId, Guid CartId, Guid UserId);
