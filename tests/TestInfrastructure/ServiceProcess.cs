using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Shop.Testing;

/// <summary>One Shop service running as a real process (its built DLL under `dotnet`), logging to a file.</summary>
public sealed class ServiceProcess(string name, string dllPath, int port, IReadOnlyDictionary<string, string> environment, string logPath)
    : IAsyncDisposable
{
    Process? _process;
    StreamWriter? _log;

    public string Name { get; } = name;
    public int Port { get; } = port;
    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");
    public string LogPath { get; } = logPath;
    public int? ProcessId => _process is { HasExited: false } p ? p.Id : null;
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>
    /// When set, the service also serves HTTP/2 on `{directory}/{port}.sock` for a gateway given the same directory
    /// (Services:SocketDirectory), as ./shop runs it; its port stays HTTP/1.1.
    /// </summary>
    public string? GatewaySocketDirectory { get; init; }

    /// <summary>The socket that the instance at <paramref name="port"/> serves the gateway on (the gateway's naming).</summary>
    public static string GatewaySocket(string directory, int port) => Path.Combine(directory, $"{port}.sock");

    public void Start()
    {
        if (IsRunning)
            throw new InvalidOperationException($"{Name} is already running");
        if (!File.Exists(dllPath))
            throw new FileNotFoundException($"{Name} is not built: {dllPath} is missing (run ./shop build).");

        var info = new ProcessStartInfo("dotnet", [dllPath])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dllPath)!,
        };
        if (GatewaySocketDirectory is null)
            info.Environment["ASPNETCORE_URLS"] = BaseAddress.ToString().TrimEnd('/');
        else
        {
            var socket = GatewaySocket(GatewaySocketDirectory, Port);
            File.Delete(socket);   // a killed process leaves its socket file behind, and Kestrel will not bind over it
            info.Environment["Kestrel__Endpoints__Http__Url"] = BaseAddress.ToString().TrimEnd('/');
            info.Environment["Kestrel__Endpoints__Gateway__Url"] = $"http://unix:{socket}";
            info.Environment["Kestrel__Endpoints__Gateway__Protocols"] = "Http2";
        }
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["Logging__Format"] = "text";
        // As ./shop runs them: no watching of the content root for configuration files the services do not have.
        info.Environment["DOTNET_hostBuilder__reloadConfigOnChange"] = "false";
        foreach (var (key, value) in environment)
            info.Environment[key] = value;

        Directory.CreateDirectory(Path.GetDirectoryName(LogPath)!);
        _log ??= new StreamWriter(new FileStream(LogPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        var log = _log;
        _process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {Name}");
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        lock (log) log.WriteLine($"---- started pid {_process.Id} at {DateTimeOffset.UtcNow:O}");
    }

    /// <summary>Waits for /health/ready; fails with the log's tail if the process dies or never gets ready.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (!IsRunning)
                throw new InvalidOperationException($"{Name} exited during start-up.\n{Tail()}");
            try
            {
                using var response = await http.GetAsync("health/ready");
                if (response.IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(200);
        }
        throw new TimeoutException($"{Name} was not ready within {timeout}.\n{Tail()}");
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing — a crash.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
            lock (_log!) _log.WriteLine($"---- killed at {DateTimeOffset.UtcNow:O}");
        }
    }

    /// <summary>SIGTERM and wait: a graceful stop.</summary>
    public async Task StopAsync()
    {
        if (_process is not { HasExited: false } process)
            return;
        _ = SendSignal(process.Id, 15);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try { await process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException) { process.Kill(entireProcessTree: true); }
    }

    public string Tail(int lines = 60)
    {
        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var all = reader.ReadToEnd().Split('\n');
            return $"--- last lines of {LogPath} ---\n" + string.Join('\n', all.TakeLast(lines));
        }
        catch (IOException e)
        {
            return $"(no log: {e.Message})";
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await Task.Yield();
        _process?.Dispose();
        _log?.Dispose();
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    static extern int SendSignal(int pid, int signal);
}
