using Marten;

namespace Shop.BuildingBlocks.Operations;

internal static class MartenOptions
{
    /// <summary>The store's full configuration (projections, document mappings); IDocumentStore only exposes a read-only view.</summary>
    public static StoreOptions Configuration(this IDocumentStore store) =>
        (store as DocumentStore)?.Options ?? throw new InvalidOperationException("Operations need Marten's DocumentStore.");
}
