using Shop.Testing;
using Xunit;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Shop.EndToEnd.Tests;

/// <summary>One running system shared by the tests of the collection (starting six processes takes a while).</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public ShopCluster Cluster { get; } = new();

    public Task InitializeAsync() => Cluster.StartAsync("e2e");

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
