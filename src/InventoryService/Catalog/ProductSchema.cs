using Marten;
using Marten.Schema;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace Shop.InventoryService.Catalog;

/// <summary>
/// How products are stored so that the public catalog stays fast at 100,000 products (measured by
/// benchmarks/InventorySearch): every field the catalog filters or sorts on is duplicated into a real column with a
/// b-tree index, and name and description carry trigram GIN indexes, which serve the case-insensitive substring search
/// (ILIKE '%term%') without reading the whole table.
/// </summary>
public static class ProductSchema
{
    public const string TrigramExtension = "pg_trgm";

    public static void Configure(StoreOptions options)
    {
        // Marten applies extended schema objects before any table, so the trigram operator class exists by the time the
        // product table's indexes are created. pg_trgm ships with PostgreSQL (Debian's postgresql-15 included) and is a
        // trusted extension: a database owner may create it without being superuser.
        options.Storage.ExtendedSchemaObjects.Add(new Extension(TrigramExtension));

        options.Schema.For<Product>()
            // Two admins editing one product: the second save fails with 409 instead of silently undoing the first (and
            // publishing price events the carts would apply out of order).
            .UseOptimisticConcurrency(true)
            .UniqueIndex(p => p.Sku)
            .Duplicate(p => p.Active, notNull: true)
            .Duplicate(p => p.Name, notNull: true, configure: index =>
            {
                index.Name = "mt_doc_product_idx_lower_name";
                index.Mask = "lower(?)";
            })
            .Index(p => p.Name, Trigram("mt_doc_product_trgm_name"))
            .Duplicate(p => p.Description, notNull: true, configure: Trigram("mt_doc_product_trgm_description"))
            .Duplicate(p => p.Category, notNull: true, configure: index => index.Name = "mt_doc_product_idx_category")
            .Index(p => p.Category, index =>
            {
                index.Name = "mt_doc_product_idx_lower_category";
                index.Casing = ComputedIndex.Casings.Lower;
            })
            .Duplicate(p => p.Price, notNull: true)
            .Duplicate(p => p.CreatedAt, notNull: true);
    }

    static Action<IndexDefinition> Trigram(string name) => index =>
    {
        index.Name = name;
        index.Method = IndexMethod.gin;
        index.Mask = "? gin_trgm_ops";
    };
}
