using JasperFx;
using Marten;
using Npgsql;
using Weasel.Core;
using Xunit;

namespace Shop.InventoryService.Tests.Catalog;

[Collection(TwoInstancesCollection.Name)]
public sealed class ProductSchemaTests(TwoInstances inventory)
{
    [Fact]
    public async Task The_service_creates_the_trigram_extension_and_search_indexes_and_leaves_nothing_to_migrate()
    {
        await using var connection = new NpgsqlConnection(inventory.Cluster.Database.ConnectionString);
        await connection.OpenAsync();
        await using (var extension = new NpgsqlCommand("select count(*) from pg_extension where extname = 'pg_trgm'", connection))
            Assert.Equal(1L, await extension.ExecuteScalarAsync());

        var indexes = new Dictionary<string, string>();
        await using (var command = new NpgsqlCommand(
                         "select indexname, indexdef from pg_indexes where schemaname = 'inventory' and tablename = 'mt_doc_product'", connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
                indexes[reader.GetString(0)] = reader.GetString(1);
        }
        Assert.Contains("gin (name gin_trgm_ops)", indexes["mt_doc_product_trgm_name"]);
        Assert.Contains("gin (description gin_trgm_ops)", indexes["mt_doc_product_trgm_description"]);
        Assert.Contains("lower((name)::text)", indexes["mt_doc_product_idx_lower_name"]);
        Assert.Contains("lower((category)::text)", indexes["mt_doc_product_idx_lower_category"]);
        Assert.Contains("price", indexes["mt_doc_product_idx_price"]);
        Assert.Contains("created_at", indexes["mt_doc_product_idx_created_at"]);

        // The running instances applied the schema; the same mapping must find it complete, or every start would rebuild indexes.
        await using var store = DocumentStore.For(options =>
        {
            options.Connection(inventory.Cluster.Database.ConnectionString);
            options.DatabaseSchemaName = InventoryModule.Schema;
            options.UseSystemTextJsonForSerialization(EnumStorage.AsString);
            options.AutoCreateSchemaObjects = AutoCreate.None;
            InventoryModule.ConfigureDocuments(options);
        });
        var migration = await store.Storage.Database.CreateMigrationAsync();
        Assert.True(migration.Difference == SchemaPatchDifference.None,
            $"Pending schema changes ({migration.Difference}):\n{await Describe(store, migration)}");
    }

    static async Task<string> Describe(DocumentStore store, SchemaMigration migration)
    {
        var writer = new StringWriter();
        migration.WriteAllUpdates(writer, (Migrator)store.Options.Advanced.Migrator, AutoCreate.CreateOrUpdate);
        await writer.FlushAsync();
        return writer.ToString();
    }
}
