using Shop.Testing;
using Xunit;

namespace Shop.Deployment.Tests.ScaleOut;

/// <summary>
/// The whole system with two instances each of OrderSaga, InventoryService and PaymentService: each pair consumes the
/// same RabbitMQ queue (competing consumers), and the gateway balances HTTP over both instances of every service.
/// </summary>
public sealed class ScaledClusterFixture : IAsyncLifetime
{
    public static readonly string[] ScaledServices = ["orders", "inventory", "payments"];

    // Nine processes start on what may be a busy two-core machine.
    public ShopCluster Cluster { get; } = new() { GatewayRoutesToAllReplicas = true, StartupTimeout = TimeSpan.FromMinutes(5) };

    public Task InitializeAsync()
    {
        foreach (var service in ScaledServices)
            Cluster.Replicas[service] = 2;
        // The test creates its own products with known stock.
        Cluster.Settings["Inventory:SeedDemoCatalog"] = "false";
        // Durable queues are quorum queues, as recommended for a clustered RabbitMQ in production (deploy/k8s/README.md).
        Cluster.DefaultQueueType = "quorum";
        return Cluster.StartAsync("scaleout");
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}
