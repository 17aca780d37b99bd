using System.Diagnostics;
using System.Globalization;
using JasperFx;
using Marten;
using Shop.BuildingBlocks.Persistence;
using Npgsql;
using Shop.InventoryService;
using Shop.InventoryService.Catalog;
using Shop.InventoryService.Catalog.BrowsingProducts;
using Weasel.Core;

namespace Shop.Benchmarks.InventorySearch;

/// <summary>
/// Seeds a fresh database with N products (default 100,000) through the service's own schema (its indexes included) and
/// times <see cref="ProductCatalog.SearchAsync"/> — the whole of a GET /api/products cache miss short of HTTP and JSON — for typical
/// catalog requests. Then drops the trigram indexes and times the searches again, to show what they buy.
/// Options: --products N, --iterations N, --explain (print each query's plan), --keep (do not drop the database).
/// PostgreSQL: SHOP_BENCH_POSTGRES, else SHOP_TEST_POSTGRES, else the ./shop server on SHOP_PG_PORT (default 18432).
/// </summary>
public static class BenchmarkProgram
{
    record Scenario(string Name, ProductSearch Search, bool IsSearch = false);

    static readonly Scenario[] Scenarios =
    [
        new("browse, sort by name, page 1", new ProductSearch()),
        new("browse, sort by name, page 50", new ProductSearch(Page: 50)),
        new("browse, sort by price, page 1", new ProductSearch(Sort: "price")),
        new("browse, newest first, page 1", new ProductSearch(Sort: "newest")),
        new("category filter, sort by name", new ProductSearch(Category: "category 07")),
        new("price range 100-120, sort by price", new ProductSearch(MinPrice: 100, MaxPrice: 120, Sort: "price")),
        new($"search '{CatalogGenerator.RareWord}' (rare, description)", new ProductSearch(Search: CatalogGenerator.RareWord), true),
        new($"search '{CatalogGenerator.UncommonWord}' (1%, description)", new ProductSearch(Search: CatalogGenerator.UncommonWord), true),
        new("search 'walnut tray' (name)", new ProductSearch(Search: "walnut tray"), true),
        new($"search '{CatalogGenerator.CommonWord}' (8%, name)", new ProductSearch(Search: CatalogGenerator.CommonWord), true),
        new("search 'KETTLE 12' (case-insensitive, name)", new ProductSearch(Search: "KETTLE 12"), true),
        new("search 'no-such-thing' (no match)", new ProductSearch(Search: "no-such-thing"), true),
        new("search 'oak' (3 letters, 6% of names)", new ProductSearch(Search: "oak"), true),
        new("search 'and' (in most descriptions)", new ProductSearch(Search: "and"), true),
        new("search + category + price, sort by price", new ProductSearch(Search: "lamp", Category: "Category 03", MinPrice: 50, MaxPrice: 900, Sort: "price"), true),
    ];

    public static async Task<int> Main(string[] args)
    {
        var products = IntOption(args, "--products", 100_000);
        var iterations = IntOption(args, "--iterations", 30);
        var explain = args.Contains("--explain");
        var keep = args.Contains("--keep");

        var server = Environment.GetEnvironmentVariable("SHOP_BENCH_POSTGRES")
                     ?? Environment.GetEnvironmentVariable("SHOP_TEST_POSTGRES")
                     ?? $"Host=127.0.0.1;Port={Environment.GetEnvironmentVariable("SHOP_PG_PORT") ?? "18432"};Username=postgres";
        var database = $"shop_bench_inventory_{DateTime.UtcNow:yyyyMMddHHmmss}";
        await Admin(server, $"create database \"{database}\"");
        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString;
        Console.WriteLine($"Database {database} on {new NpgsqlConnectionStringBuilder(server).Host}:{new NpgsqlConnectionStringBuilder(server).Port}");

        try
        {
            await using var store = CreateStore(connectionString);
            await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
            await Seed(store, connectionString, products);

            Console.WriteLine();
            Console.WriteLine($"## {products:N0} products, with the service's indexes ({iterations} timed runs each, after 3 warm-ups)");
            var catalog = new ProductCatalog(new ShopDatabase(NpgsqlDataSource.Create(connectionString), InventoryModule.Schema), store);
            await Run(catalog, connectionString, Scenarios, iterations, explain);

            await Sql(connectionString, "drop index inventory.mt_doc_product_trgm_name; drop index inventory.mt_doc_product_trgm_description; analyze inventory.mt_doc_product;");
            Console.WriteLine();
            Console.WriteLine($"## {products:N0} products, searches without the trigram indexes (baseline)");
            await Run(catalog, connectionString, Scenarios.Where(s => s.IsSearch).ToArray(), Math.Min(iterations, 10), explain);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            if (!keep)
                await Admin(server, $"drop database if exists \"{database}\" with (force)");
        }
        return 0;
    }

    static DocumentStore CreateStore(string connectionString) => DocumentStore.For(options =>
    {
        // The settings of BuildingBlocks' AddShopMarten that shape documents and queries, then the service's own mapping.
        options.Connection(connectionString);
        options.DatabaseSchemaName = InventoryModule.Schema;
        options.UseSystemTextJsonForSerialization(EnumStorage.AsString);
        options.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
        options.DisableNpgsqlLogging = true;
        InventoryModule.ConfigureDocuments(options);
    });

    static async Task Seed(DocumentStore store, string connectionString, int count)
    {
        var watch = Stopwatch.StartNew();
        foreach (var chunk in CatalogGenerator.Generate(count).Chunk(10_000))
        {
            await store.BulkInsertDocumentsAsync(chunk.Select(c => c.Product), BulkInsertMode.InsertsOnly);
            await store.BulkInsertDocumentsAsync(chunk.Select(c => c.Stock), BulkInsertMode.InsertsOnly);
        }
        await Sql(connectionString, "vacuum analyze inventory.mt_doc_product");
        await Sql(connectionString, "vacuum analyze inventory.mt_doc_stockitem");
        Console.WriteLine($"Seeded {count:N0} products and their stock in {watch.Elapsed.TotalSeconds:F1} s");
    }

    static async Task Run(ProductCatalog catalog, string connectionString, Scenario[] scenarios, int iterations, bool explain)
    {
        Console.WriteLine();
        Console.WriteLine("| Request | Matches | Median ms | p95 ms | Mean ms |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach (var scenario in scenarios)
        {
            var timings = new List<double>();
            long total = 0;
            for (var i = 0; i < iterations + 3; i++)
            {
                var watch = Stopwatch.StartNew();
                var page = await catalog.SearchAsync(scenario.Search, CancellationToken.None);
                watch.Stop();
                total = page.Total;
                if (i >= 3)
                    timings.Add(watch.Elapsed.TotalMilliseconds);
            }
            timings.Sort();
            Console.WriteLine($"| {scenario.Name} | {total:N0} | {Format(Percentile(timings, 0.5))} | {Format(Percentile(timings, 0.95))} | {Format(timings.Average())} |");
            if (explain)
                await Explain(catalog, connectionString, scenario);
        }
    }

    static async Task Explain(ProductCatalog catalog, string connectionString, Scenario scenario)
    {
        await using var batch = catalog.Commands(scenario.Search);
        foreach (var (label, command) in new[] { ("count", batch.BatchCommands[0]), ("page", batch.BatchCommands[1]) })
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var explainCommand = new NpgsqlCommand("explain (analyze, costs off, timing off, summary off) " + command.CommandText, connection);
            foreach (NpgsqlParameter parameter in command.Parameters)
                explainCommand.Parameters.Add(parameter.Clone());
            Console.WriteLine($"    {label}: {command.CommandText}");
            await using var reader = await explainCommand.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                Console.WriteLine("      " + reader.GetString(0));
        }
    }

    static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    static string Format(double milliseconds) => milliseconds.ToString(milliseconds < 10 ? "F2" : "F1", CultureInfo.InvariantCulture);

    static int IntOption(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length && int.TryParse(args[index + 1], out var value) ? value : fallback;
    }

    static async Task Admin(string server, string sql) =>
        await Sql(new NpgsqlConnectionStringBuilder(server) { Database = "postgres" }.ConnectionString, sql);

    static async Task Sql(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        await command.ExecuteNonQueryAsync();
    }
}
