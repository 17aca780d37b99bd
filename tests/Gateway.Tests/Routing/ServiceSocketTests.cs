using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using Shop.Testing;
using Xunit;

namespace Shop.Gateway.Tests.Routing;

/// <summary>
/// With Services:SocketDirectory (as ./shop and every test cluster run it) the gateway proxies to a service over HTTP/2 on
/// the service's Unix socket, not over HTTP/1.1 to its TCP port.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class ServiceSocketTests(GatewayFixture fixture)
{
    readonly ShopCluster _cluster = fixture.Cluster;

    [Fact]
    public async Task The_gateway_reaches_a_service_over_HTTP2_on_the_socket_named_after_its_port()
    {
        // A stand-in notification service that listens only on the socket: nothing answers on its TCP port, so an answer
        // through the gateway can only have come over the socket. It echoes the protocol and path it was asked with.
        var port = LoopbackPorts.Next();
        var socket = ServiceProcess.GatewaySocket(_cluster.SocketDirectory, port);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenUnixSocket(socket, listen => listen.Protocols = HttpProtocols.Http2));
        await using var standIn = builder.Build();
        standIn.MapGet("/api/notifications/{**rest}", (HttpContext context) => Results.Text($"{context.Request.Protocol} {context.Request.Path}"));
        await standIn.StartAsync();

        var gateway = await _cluster.StartExtraAsync("gateway", new Dictionary<string, string> { ["Services:Notifications"] = $"http://127.0.0.1:{port}" });
        using var http = new HttpClient { BaseAddress = gateway.BaseAddress };
        for (var i = 0; i < 3; i++)
        {
            using var response = await http.GetAsync($"api/notifications/probe-{i}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal($"HTTP/2 /api/notifications/probe-{i}", await response.Content.ReadAsStringAsync());
        }
    }
}
