using System.Net.Http.Headers;
using Shop.BuildingBlocks.Security;
using Shop.Gateway.Identity.External;
using Shop.Gateway.Identity.Tokens;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.LoadBalancing;

namespace Shop.Gateway.Routing;

/// <summary>YARP routes from the public /api paths to the services (addresses from Services:* configuration).</summary>
public static class ServiceRoutes
{
    static readonly (string Prefix, string Service)[] Routes =
    [
        ("/api/products", "Inventory"),
        ("/api/cart", "Cart"),
        ("/api/orders", "Orders"),
        ("/api/payments", "Payments"),
        ("/api/notifications", "Notifications"),
    ];

    /// <summary>
    /// Services whose public routes the gateway answers from its shared cache (<see cref="SharedCache"/>): the catalog,
    /// which a storefront reads most and which is the same for everyone. The others answer one customer's data.
    /// </summary>
    static readonly HashSet<string> SharedCacheServices = ["Inventory"];

    /// <summary>The services whose OpenAPI documents the gateway serves at /api/docs/{name}/openapi.json.</summary>
    public static readonly (string Name, string Service)[] Documents =
    [
        ("inventory", "Inventory"),
        ("cart", "Cart"),
        ("orders", "Orders"),
        ("payments", "Payments"),
        ("notifications", "Notifications"),
    ];

    public static WebApplicationBuilder AddServiceRoutes(this WebApplicationBuilder builder)
    {
        var routes = new List<RouteConfig>();
        var clusters = new List<ClusterConfig>();
        var socketDirectory = ServiceSockets.Directory(builder.Configuration);
        foreach (var service in Routes.Select(r => r.Service).Concat(Documents.Select(d => d.Service)).Distinct())
        {
            var address = builder.Configuration[$"Services:{service}"]
                ?? throw new InvalidOperationException($"Services:{service} (the {service} service's base URL) is not configured.");
            clusters.Add(ClusterFor(service, address) with { HttpRequest = socketDirectory is null ? null : ServiceSockets.Http2 });
        }
        foreach (var (prefix, service) in Routes)
        {
            var cachePolicy = SharedCacheServices.Contains(service) ? SharedCache.Policy : null;
            routes.Add(new RouteConfig { RouteId = $"{service}-root", ClusterId = service, Match = new RouteMatch { Path = prefix }, OutputCachePolicy = cachePolicy });
            routes.Add(new RouteConfig
            {
                RouteId = $"{service}-sub", ClusterId = service, Match = new RouteMatch { Path = prefix + "/{**rest}" }, OutputCachePolicy = cachePolicy,
            });
        }
        // Operations endpoints of each service (/admin/... inside it, admin-only there) as /api/admin/{service}/...
        foreach (var service in Routes.Select(r => r.Service).Distinct())
        {
            var prefix = $"/api/admin/{service.ToLowerInvariant()}";
            routes.Add(new RouteConfig
            {
                RouteId = $"{service}-admin",
                ClusterId = service,
                Match = new RouteMatch { Path = prefix + "/{**rest}" },
                Transforms =
                [
                    new Dictionary<string, string> { ["PathRemovePrefix"] = prefix },
                    new Dictionary<string, string> { ["PathPrefix"] = "/admin" },
                ],
            });
        }
        foreach (var (name, service) in Documents)
        {
            routes.Add(new RouteConfig
            {
                RouteId = $"{service}-openapi",
                ClusterId = service,
                Match = new RouteMatch { Path = $"{ApiDocs.Prefix}/{name}/openapi.json", Methods = ["GET"] },
                // The document names the server configured as Http:PublicUrl (OpenApiServers), never the Host a client sent.
                Transforms = [new Dictionary<string, string> { ["PathSet"] = "/openapi/v1.json" }],
            });
        }
        // One information line per proxied request drowns the gateway's log; errors and warnings stay.
        builder.Logging.AddFilter("Yarp", LogLevel.Warning);
        builder.AddSharedCache();
        builder.Services.AddReverseProxy().LoadFromMemory(routes, clusters).AddTransforms(context =>
        {
            if (SharedCacheServices.Contains(context.Route.ClusterId ?? ""))
                SharedCache.AddTransforms(context);
            context.AddRequestTransform(ExchangeExternalToken);
        });
        if (socketDirectory is not null)
            builder.Services.AddServiceSockets(socketDirectory);   // after YARP's own client factory: the last one registered is used
        // Every failed probe of a starting or stopped instance would be a warning; the health state changes still are.
        builder.Logging.AddFilter("Yarp.ReverseProxy.Health.ActiveHealthCheckMonitor", LogLevel.Error);
        return builder;
    }

    /// <summary>
    /// The services trust only the gateway's tokens: a request signed in with an external provider's token goes on with a
    /// gateway token of the linked account instead.
    /// </summary>
    static ValueTask ExchangeExternalToken(RequestTransformContext transform)
    {
        var user = transform.HttpContext.User;
        if (user.Identity is { IsAuthenticated: true, AuthenticationType: ExternalAuthentication.Scheme })
        {
            var tokens = transform.HttpContext.RequestServices.GetRequiredService<TokenIssuer>();
            var accessToken = tokens.AccessToken(user.GetUserId(), user.GetEmail(), user.GetDisplayName(), user.FindAll(ShopClaims.Role).Select(c => c.Value),
                user.HasVerifiedEmail());
            transform.ProxyRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// One destination per address; Services:X may list several instances separated by commas (`./shop run` with
    /// SHOP_REPLICAS_X). Several destinations are balanced, and probed on /health/ready so that a stopped or starting
    /// instance stops getting requests.
    /// </summary>
    public static ClusterConfig ClusterFor(string service, string addresses)
    {
        var destinations = addresses.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (destinations.Length == 0)
            throw new InvalidOperationException($"Services:{service} lists no address.");
        if (destinations.Length == 1)
            return new ClusterConfig
            {
                ClusterId = service,
                Destinations = new Dictionary<string, DestinationConfig> { [service] = new() { Address = destinations[0] } },
            };

        return new ClusterConfig
        {
            ClusterId = service,
            LoadBalancingPolicy = LoadBalancingPolicies.RoundRobin,
            Destinations = destinations
                .Select((address, index) => (Id: $"{service}-{index + 1}", Config: new DestinationConfig { Address = address }))
                .ToDictionary(d => d.Id, d => d.Config),
            HealthCheck = new HealthCheckConfig
            {
                Active = new ActiveHealthCheckConfig
                {
                    Enabled = true,
                    Interval = TimeSpan.FromSeconds(5),
                    Timeout = TimeSpan.FromSeconds(3),
                    Policy = HealthCheckConstants.ActivePolicy.ConsecutiveFailures,
                    Path = "/health/ready",
                },
                Passive = new PassiveHealthCheckConfig
                {
                    Enabled = true,
                    Policy = HealthCheckConstants.PassivePolicy.TransportFailureRate,
                    ReactivationPeriod = TimeSpan.FromSeconds(10),
                },
            },
        };
    }
}
