using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Shop.Gateway.Perimeter;

/// <summary>
/// The client's address, which the per-address limits key on. X-Forwarded-For is believed only from the proxies listed in
/// ForwardedHeaders:KnownProxies (none by default: then the TCP peer is the client, and a client cannot pick its own
/// address by sending the header).
/// </summary>
public static class ClientAddresses
{
    public static WebApplicationBuilder AddClientAddresses(this WebApplicationBuilder builder)
    {
        var proxies = builder.Configuration.GetSection("ForwardedHeaders:KnownProxies").Get<string[]>() ?? [];
        builder.Services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // ASP.NET trusts loopback by default; only the configured proxies are trusted here.
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var proxy in proxies)
                options.KnownProxies.Add(IPAddress.Parse(proxy));
        });
        return builder;
    }

    public static string Of(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } address
            ? (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString()
            : "unknown";
}
