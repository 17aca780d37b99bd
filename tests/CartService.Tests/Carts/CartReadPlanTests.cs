using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Shop.BuildingBlocks.Persistence;
using Shop.CartService.Carts.ViewingCart;
using Shop.CartService.Catalog;
using Xunit;

namespace Shop.CartService.Tests.Carts;

/// <summary>
/// The cart read finds its lines' products through the replica's primary key, however large the catalog: a plan that
/// scans the replica (as `id in (subquery)` was planned) costs every cart GET a read of every product. Checked on the
/// plan PostgreSQL chooses, not on time.
/// </summary>
[Collection(CartCollection.Name)]
public sealed class CartReadPlanTests(CartServiceFixture fixture)
{
    const int CatalogSize = 5000;

    [Fact]
    public async Task A_cart_read_does_not_scan_the_catalog_replica_of_a_large_catalog()
    {
        var product = await fixture.CreateProduct(12m);
        using var customer = fixture.NewCustomer();
        await customer.AddOk(product.Id, 1);

        var others = Enumerable.Range(0, CatalogSize).Select(i => new CatalogProduct
        {
            Id = Guid.NewGuid(), Sku = $"PLAN-{i}", Name = $"Plan test {i}", Price = 1m, Currency = "EUR", Active = true,
            ChangedAt = DateTimeOffset.UtcNow,
        }).ToList();
        await fixture.Store.BulkInsertAsync(others);
        try
        {
            var dataSource = fixture.Cart.Services.GetRequiredService<NpgsqlDataSource>();
            var replica = fixture.Cart.Services.GetRequiredService<ShopDatabase>().Table<CatalogProduct>();
            await using (var analyze = dataSource.CreateCommand($"analyze {replica}"))
                await analyze.ExecuteNonQueryAsync();

            var statement = fixture.Cart.Services.GetRequiredService<CartReader>().CurrentCartStatement;
            await using var explain = dataSource.CreateCommand($"explain (format json) {statement}");
            explain.Parameters.Add(new NpgsqlParameter { Value = customer.UserId, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid });
            using var plan = JsonDocument.Parse((string)(await explain.ExecuteScalarAsync())!);

            var nodes = Nodes(plan.RootElement[0].GetProperty("Plan")).ToList();
            var scanned = nodes
                .Where(node => node.GetProperty("Node Type").GetString() == "Seq Scan")
                .Select(node => node.GetProperty("Relation Name").GetString())
                .ToList();
            Assert.DoesNotContain("mt_doc_catalogproduct", scanned);
            // The plan reads the replica at all (through its key), so the check above looks at the right statement.
            Assert.Contains(nodes, node => node.TryGetProperty("Relation Name", out var relation) && relation.GetString() == "mt_doc_catalogproduct");

            var read = await customer.Get();
            Assert.Equal(12m, read.Line(product.Id).UnitPrice);
        }
        finally
        {
            var ids = others.Select(p => p.Id).ToArray();
            await using var session = fixture.Store.LightweightSession();
            session.DeleteWhere<CatalogProduct>(p => ids.Contains(p.Id));
            await session.SaveChangesAsync();
        }
    }

    static IEnumerable<JsonElement> Nodes(JsonElement node)
    {
        yield return node;
        if (!node.TryGetProperty("Plans", out var children))
            yield break;
        foreach (var child in children.EnumerateArray())
        {
            foreach (var descendant in Nodes(child))
                yield return descendant;
        }
    }
}
