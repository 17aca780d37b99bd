using Shop.Testing;
using Xunit;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Shop.Gateway.Tests;

/// <summary>
/// One running system for the gateway's tests: two gateway instances (lockouts must hold across them), the external
/// provider switched on, and rate limits small enough to reach in a test. Every test client comes from its own address
/// (X-Forwarded-For from the trusted loopback proxy), so per-address limits of one test never touch another.
/// </summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    public const string WebOrigin = "http://web.shop.test";
    public static readonly TimeSpan LockoutDuration = TimeSpan.FromSeconds(30);
    public const int LoginsPerAddress = 10;
    public const int RegistrationsPerAddress = 5;
    public const int RequestsPerUser = 100;
    public const int AccountMaxFailures = 5;
    public const int AddressMaxFailures = 8;

    public FakeOidcProvider Oidc { get; } = new();
    public ShopCluster Cluster { get; } = new();

    public async Task InitializeAsync()
    {
        await Oidc.StartAsync();
        Cluster.Replicas["gateway"] = 2;
        var settings = new Dictionary<string, string>
        {
            ["Oidc:Authority"] = Oidc.Issuer,
            ["Oidc:Audience"] = FakeOidcProvider.Audience,
            ["Oidc:RequireHttpsMetadata"] = "false",
            ["ForwardedHeaders:KnownProxies:0"] = "127.0.0.1",
            ["Cors:AllowedOrigins:0"] = WebOrigin,
            ["RateLimiting:Login:PermitLimit"] = $"{LoginsPerAddress}",
            ["RateLimiting:Login:Window"] = "00:01:00",
            ["RateLimiting:Register:PermitLimit"] = $"{RegistrationsPerAddress}",
            ["RateLimiting:Register:Window"] = "01:00:00",
            ["RateLimiting:PerUser:PermitLimit"] = $"{RequestsPerUser}",
            ["RateLimiting:PerUser:Window"] = "00:01:00",
            ["Lockout:AccountMaxFailures"] = $"{AccountMaxFailures}",
            ["Lockout:AddressMaxFailures"] = $"{AddressMaxFailures}",
            ["Lockout:LockoutDuration"] = LockoutDuration.ToString(),
        };
        foreach (var (key, value) in settings)
            Cluster.Settings[key] = value;
        await Cluster.StartAsync("gateway");
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        await Oidc.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class GatewayCollection : ICollectionFixture<GatewayFixture>
{
    public const string Name = "gateway";
}
