using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace Shop.Testing;

/// <summary>One email as maildev's HTTP API returns it.</summary>
public sealed record ReceivedEmail(string Id, string Subject, List<ReceivedEmail.Address> To, Dictionary<string, JsonElement> Headers, string? Text, string? Html)
{
    public sealed record Address(string Email, string? Name);

    public string? Header(string name) =>
        Headers.TryGetValue(name.ToLowerInvariant(), out var value) ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.ToString() : null;
}

/// <summary>
/// A real SMTP server with an HTTP API (maildev, installed by ./shop under .shop/tools), started the way ./shop run starts
/// it: behind build/mail-sink/mail-sink.mjs, which keeps the inbox to its own origin. Started on free ports with a
/// private mail directory, so received mail survives a stop/start (the "SMTP down" tests) and nothing is shared with
/// other runs. Fails loudly when maildev is not installed.
/// </summary>
public sealed class MailDevServer : IAsyncDisposable
{
    readonly string _directory = Path.Combine(Path.GetTempPath(), $"shop-maildev-{Guid.NewGuid():N}");
    readonly string _logPath;
    readonly HttpClient _http;
    Process? _process;

    public MailDevServer(string logDirectory)
    {
        SmtpPort = LoopbackPorts.Next();
        WebPort = LoopbackPorts.Next();
        _logPath = Path.Combine(logDirectory, "maildev.log");
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{WebPort}/"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public int SmtpPort { get; }
    public int WebPort { get; }
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The guard every Shop mail sink runs behind (same-origin only).</summary>
    public static string Guard => Path.Combine(RepositoryLayout.Root, "build", "mail-sink", "mail-sink.mjs");

    /// <summary>The maildev package directory (SHOP_TEST_MAILDEV, which ./shop test sets, or ./shop's install).</summary>
    public static string Package
    {
        get
        {
            var path = Environment.GetEnvironmentVariable("SHOP_TEST_MAILDEV") is { Length: > 0 } configured
                ? configured
                : Path.Combine(RepositoryLayout.Root, ".shop", "tools", "maildev", "node_modules", "maildev");
            // An older setting named maildev's bin script (…/maildev/dist/bin/maildev.js): its package is two folders up.
            if (File.Exists(path) && path.EndsWith(".js", StringComparison.Ordinal))
                path = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));
            if (!File.Exists(Path.Combine(path, "dist", "index.js")))
                throw new InvalidOperationException(
                    $"maildev (the SMTP server of these tests) is not installed at {path}. Run the tests with `./shop test`, or `./shop infra` once, which install it.");
            return path;
        }
    }

    public async Task StartAsync()
    {
        if (IsRunning)
            throw new InvalidOperationException("maildev is already running");
        Directory.CreateDirectory(_directory);
        Directory.CreateDirectory(Path.GetDirectoryName(_logPath)!);
        var info = new ProcessStartInfo("node",
        [
            Guard, "--maildev", Package, "--smtp", SmtpPort.ToString(), "--ip", "127.0.0.1", "--web", WebPort.ToString(), "--web-ip", "127.0.0.1",
            "--mail-directory", _directory,
        ])
        {
            // maildev reads config files from its working directory and parents: give it one that has none.
            WorkingDirectory = _directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var log = new StreamWriter(new FileStream(_logPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        _process = Process.Start(info) ?? throw new InvalidOperationException("Could not start maildev");
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        _process.Exited += (_, _) => { lock (log) log.Dispose(); };
        _process.EnableRaisingEvents = true;
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (!IsRunning)
                throw new InvalidOperationException($"maildev exited during start-up; see {_logPath}");
            if (await ApiAnswers() && SmtpAnswers())
                return;
            await Task.Delay(200);
        }
        throw new TimeoutException($"maildev did not become ready on SMTP {SmtpPort} / HTTP {WebPort}; see {_logPath}");
    }

    /// <summary>Takes the SMTP server away abruptly (connections are refused until <see cref="StartAsync"/>).</summary>
    public void Stop()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
    }

    public async Task<IReadOnlyList<ReceivedEmail>> EmailsAsync()
    {
        using var response = await GetWithRetryAsync("api/email");
        response.EnsureSuccessStatusCode();
        var raw = await response.Content.ReadFromJsonAsync<List<JsonElement>>() ?? [];
        return raw.Select(Parse).ToList();
    }

    public async Task<IReadOnlyList<ReceivedEmail>> EmailsForOrderAsync(Guid orderId) =>
        (await EmailsAsync()).Where(e => e.Header("X-Shop-Order-Id") == orderId.ToString()).ToList();

    /// <summary>The emails to an address, of one kind (the gateway's X-Shop-Email header) when given, oldest first.</summary>
    public async Task<IReadOnlyList<ReceivedEmail>> EmailsToAsync(string address, string? kind = null) =>
        (await EmailsAsync())
        .Where(e => e.To.Any(to => string.Equals(to.Email, address, StringComparison.OrdinalIgnoreCase)))
        .Where(e => kind is null || e.Header("X-Shop-Email") == kind)
        .ToList();

    /// <summary>Waits for the <paramref name="count"/>-th email of a kind to an address and returns it.</summary>
    public async Task<ReceivedEmail> WaitForEmailAsync(string address, string kind, int count = 1, TimeSpan? timeout = null)
    {
        IReadOnlyList<ReceivedEmail> found = [];
        if (await Poll.Until(async () => (found = await EmailsToAsync(address, kind)).Count >= count, timeout ?? TimeSpan.FromSeconds(60),
                TimeSpan.FromMilliseconds(200)))
            return found[count - 1];
        throw new TimeoutException($"No {(count == 1 ? "" : $"{count}th ")}{kind} email reached {address} within {timeout ?? TimeSpan.FromSeconds(60)} ({found.Count} did).");
    }

    /// <summary>The verification token in the link of a verify-email message (the part after #token=).</summary>
    public static string VerificationToken(ReceivedEmail email)
    {
        var match = System.Text.RegularExpressions.Regex.Match(email.Text ?? "", "verify-email#token=([A-Za-z0-9_-]+)");
        if (!match.Success)
            throw new InvalidOperationException($"The email '{email.Subject}' holds no verification link:\n{email.Text}");
        return match.Groups[1].Value;
    }

    /// <summary>A GET repeated once after a connection failure (an idle pooled connection the server closed meanwhile).</summary>
    async Task<HttpResponseMessage> GetWithRetryAsync(string path)
    {
        try
        {
            return await _http.GetAsync(path);
        }
        catch (HttpRequestException)
        {
            await Task.Delay(200);
            return await _http.GetAsync(path);
        }
    }

    static ReceivedEmail Parse(JsonElement email) => new(
        email.GetProperty("id").GetString()!,
        email.TryGetProperty("subject", out var subject) ? subject.GetString() ?? "" : "",
        email.TryGetProperty("to", out var to)
            ? to.EnumerateArray().Select(a => new ReceivedEmail.Address(a.GetProperty("address").GetString()!,
                a.TryGetProperty("name", out var name) ? name.GetString() : null)).ToList()
            : [],
        email.TryGetProperty("headers", out var headers)
            ? headers.EnumerateObject().ToDictionary(h => h.Name.ToLowerInvariant(), h => h.Value.Clone())
            : [],
        email.TryGetProperty("text", out var text) ? text.GetString() : null,
        email.TryGetProperty("html", out var html) && html.ValueKind == JsonValueKind.String ? html.GetString() : null);

    async Task<bool> ApiAnswers()
    {
        try
        {
            using var response = await _http.GetAsync("api/healthz");
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException) { return false; }
        catch (TaskCanceledException) { return false; }
    }

    bool SmtpAnswers()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, SmtpPort);
            return true;
        }
        catch (SocketException) { return false; }
    }


    public ValueTask DisposeAsync()
    {
        Stop();
        _process?.Dispose();
        _http.Dispose();
        try { Directory.Delete(_directory, recursive: true); }
        catch (IOException) { }
        return ValueTask.CompletedTask;
    }
}
