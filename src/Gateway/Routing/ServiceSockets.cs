using System.Net;
using System.Net.Sockets;
using Yarp.ReverseProxy.Forwarder;

namespace Shop.Gateway.Routing;

/// <summary>
/// How the gateway reaches services on its own machine when Services:SocketDirectory is set (./shop and the test
/// clusters set it): HTTP/2 over the Unix socket `{directory}/{port}.sock` that the instance at that port listens on
/// beside its HTTP/1.1 port. A proxied read's cost on a small VM is mostly the kernel waking processes; HTTP/1.1 needs a
/// connection per request in flight, while one HTTP/2 connection carries them all, so each wake-up moves several
/// requests (docs/PERFORMANCE.md, "Read path"). Without the setting (services on other hosts) the gateway uses HTTP/1.1
/// over TCP to the configured addresses.
/// </summary>
public static class ServiceSockets
{
    public static string? Directory(IConfiguration configuration) =>
        configuration["Services:SocketDirectory"] is { Length: > 0 } directory ? directory : null;

    /// <summary>The socket of the instance whose HTTP/1.1 port is <paramref name="port"/>.</summary>
    public static string PathFor(string directory, int port) => Path.Combine(directory, $"{port}.sock");

    /// <summary>HTTP/2 without TLS needs the client to speak it from the first byte (prior knowledge): no fallback.</summary>
    public static ForwarderRequestConfig Http2 { get; } = new() { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };

    /// <summary>Makes YARP's clients connect to the destination port's socket instead of its TCP port.</summary>
    public static IServiceCollection AddServiceSockets(this IServiceCollection services, string directory) =>
        services.AddSingleton<IForwarderHttpClientFactory>(new SocketClientFactory(directory));

    sealed class SocketClientFactory(string directory) : ForwarderHttpClientFactory
    {
        protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
        {
            base.ConfigureHandler(context, handler);
            handler.ConnectCallback = async (connection, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(PathFor(directory, connection.DnsEndPoint.Port)), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }
    }
}
