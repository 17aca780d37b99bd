using System.Net;
using System.Net.Sockets;

namespace Shop.Testing;

/// <summary>
/// Hands out loopback ports for the servers a test starts. A port the kernel picks for "port 0" comes from the ephemeral
/// range, which outgoing connections (Npgsql pools, RabbitMQ clients) also draw from, so between picking it and the
/// server binding it a client socket can take it ("address already in use", seen in CI). These ports come from below
/// that range instead, where only listeners live, and each is checked free before it is handed out.
/// </summary>
public static class LoopbackPorts
{
    const int First = 20000;
    const int Last = 32000; // below net.ipv4.ip_local_port_range's default start (32768)

    static readonly Lock Gate = new();
    // Start somewhere different per process so two test runs on one machine rarely walk the same ports.
    static int _offset = Math.Abs((Environment.ProcessId * 7919 + Environment.TickCount) % (Last - First));

    public static int Next()
    {
        lock (Gate)
        {
            for (var attempt = 0; attempt < Last - First; attempt++)
            {
                var port = First + _offset;
                _offset = (_offset + 1) % (Last - First);
                if (IsFree(port))
                    return port;
            }
        }
        throw new InvalidOperationException($"No free loopback port between {First} and {Last}.");
    }

    static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
