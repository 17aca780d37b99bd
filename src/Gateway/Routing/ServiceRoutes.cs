using Yarp.ReverseProxy.Configuration;

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

    public static WebApplicationBuilder AddServiceRoutes(this WebApplicationBuilder builder)
    {
        var routes = new List<RouteConfig>();
        var clusters = new List<ClusterConfig>();
        foreach (var service in Routes.Select(r => r.Service).Distinct())
        {
            var address = builder.Configuration[$"Services:{service}"]
                ?? throw new InvalidOperationException($"Services:{service} (the {service} service's base URL) is not configured.");
            clusters.Add(new ClusterConfig
            {
                ClusterId = service,
                Destinations = new Dictionary<string, DestinationConfig> { [service] = new() { Address = address } },
            });
        }
        foreach (var (prefix, service) in Routes)
        {
            routes.Add(new RouteConfig { RouteId = $"{service}-root", ClusterId = service, Match = new RouteMatch { Path = prefix } });
            routes.Add(new RouteConfig { RouteId = $"{service}-sub", ClusterId = service, Match = new RouteMatch { Path = prefix + "/{**rest}" } });
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
        builder.Services.AddReverseProxy().LoadFromMemory(routes, clusters);
        return builder;
    }
}
