using System.Net;
using System.Net.Sockets;

namespace Shop.Testing;

/// <summary>
/// A loopback TCP relay in front of a server, for tests that need the server to go away for one service only (the
/// shared test servers must stay up for every other test). <see cref="Cut"/> drops every relayed connection and
/// refuses new ones, as a crashed server would; <see cref="Restore"/> accepts again.
/// </summary>
public sealed class TcpRelay : IAsyncDisposable
{
    readonly IPEndPoint _target;
    readonly CancellationTokenSource _stopping = new();
    readonly Lock _gate = new();
    readonly List<TcpClient> _open = [];
    TcpListener? _listener;
    Task _accepting = Task.CompletedTask;

    public int Port { get; }

    public TcpRelay(string targetHost, int targetPort)
    {
        _target = new IPEndPoint(Dns.GetHostAddresses(targetHost).First(a => a.AddressFamily == AddressFamily.InterNetwork), targetPort);
        Port = LoopbackPorts.Next();
        Restore();
    }

    public void Restore()
    {
        lock (_gate)
        {
            if (_listener is not null)
                return;
            _listener = new TcpListener(IPAddress.Loopback, Port);
            _listener.Start();
            var listener = _listener;
            _accepting = Task.Run(() => Accept(listener));
        }
    }

    public void Cut()
    {
        lock (_gate)
        {
            _listener?.Stop();
            _listener = null;
            foreach (var client in _open)
                client.Dispose();
            _open.Clear();
        }
    }

    async Task Accept(TcpListener listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient inbound;
            try { inbound = await listener.AcceptTcpClientAsync(_stopping.Token); }
            catch (Exception) { return; } // stopped by Cut or DisposeAsync
            var outbound = new TcpClient();
            try { await outbound.ConnectAsync(_target, _stopping.Token); }
            catch (Exception)
            {
                inbound.Dispose();
                outbound.Dispose();
                continue;
            }
            lock (_gate)
            {
                if (_listener != listener)
                {
                    inbound.Dispose();
                    outbound.Dispose();
                    return;
                }
                _open.Add(inbound);
                _open.Add(outbound);
            }
            _ = Pump(inbound, outbound);
            _ = Pump(outbound, inbound);
        }
    }

    static async Task Pump(TcpClient from, TcpClient to)
    {
        try { await from.GetStream().CopyToAsync(to.GetStream()); }
        catch (Exception) { } // either side closed; the other follows below
        from.Dispose();
        to.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        Cut();
        await _accepting;
        _stopping.Dispose();
    }
}
