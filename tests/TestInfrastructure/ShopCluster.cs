using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Shop.Testing;

/// <summary>
/// The whole system as real processes on real ports — the six services against a fresh database and virtual host —
/// driven through the gateway like a browser would. Services can be killed and restarted (crash tests) and run as
/// several replicas (scale-out tests).
/// </summary>
public class ShopCluster : IAsyncDisposable
{
    public static readonly (string Name, string Project)[] ServiceProjects =
    [
        ("inventory", "InventoryService"),
        ("cart", "CartService"),
        ("orders", "OrderSaga"),
        ("payments", "PaymentService"),
        ("notifications", "NotificationService"),
        ("gateway", "Gateway"),
    ];

    readonly Dictionary<string, List<ServiceProcess>> _services = new();
    readonly List<ServiceProcess> _extra = [];
    Dictionary<string, List<int>> _ports = new();
    TestDatabase? _database;
    TestVirtualHost? _virtualHost;
    MailDevServer? _mail;
    DirectoryInfo? _sockets;

    public string JwtSigningKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
    public string AdminEmail { get; } = "admin@shop.test";
    public string AdminPassword { get; } = "Shop-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(8));

    /// <summary>
    /// The cluster's SMTP server (maildev behind its guard, as ./shop run has it): every service sends its email there, so
    /// tests read what customers would receive — the gateway's verification links, the notifications.
    /// </summary>
    public MailDevServer Mail => _mail ?? throw new InvalidOperationException("Not started");

    /// <summary>A client of the public API through the gateway that can read the cluster's mail (to verify new accounts).</summary>
    public ShopApi Api() => new(GatewayAddress, Mail);

    /// <summary>A client signed in as the configured admin.</summary>
    public async Task<ShopApi> AdminApi()
    {
        var api = Api();
        await api.Login(AdminEmail, AdminPassword);
        return api;
    }
    public string LogDirectory { get; private set; } = "";
    public TestDatabase Database => _database ?? throw new InvalidOperationException("Not started");
    public TestVirtualHost VirtualHost => _virtualHost ?? throw new InvalidOperationException("Not started");

    /// <summary>Extra settings for every service (e.g. timeouts), as configuration keys.</summary>
    public Dictionary<string, string> Settings { get; } = new() { ["Inventory:SeedDemoCatalog"] = "true" };

    /// <summary>How long each service may take to become ready (a loaded machine needs more).</summary>
    public TimeSpan StartupTimeout { get; set; } = TimeSpan.FromSeconds(180);

    /// <summary>Instances per service name; 1 unless a test scales a service out.</summary>
    public Dictionary<string, int> Replicas { get; } = new();

    /// <summary>The services to start (by name); null starts all of them. A service's own tests may start only it.</summary>
    public IReadOnlyCollection<string>? OnlyServices { get; set; }

    /// <summary>
    /// When set, the gateway is given every instance of each service (Services__X as a comma-separated list) and balances
    /// requests over them; otherwise it routes to the first instance only.
    /// </summary>
    public bool GatewayRoutesToAllReplicas { get; set; }

    /// <summary>The virtual host's default queue type (quorum, classic); RabbitMQ's own default unless set.</summary>
    public string? DefaultQueueType { get; set; }

    public IReadOnlyList<ServiceProcess> Instances(string service) => _services[service];
    public ServiceProcess Service(string service) => _services[service][0];
    public Uri GatewayAddress => Service("gateway").BaseAddress;

    public async Task StartAsync(string purpose)
    {
        _database = await TestEnvironment.CreateDatabaseAsync(purpose);
        _virtualHost = await TestEnvironment.CreateVirtualHostAsync(purpose, DefaultQueueType);
        LogDirectory = Path.Combine(RepositoryLayout.Root, ".shop", "test-logs", $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{purpose}");
        _mail = new MailDevServer(LogDirectory);
        await _mail.StartAsync();
        // Short: a Unix socket's path has at most 107 bytes.
        _sockets = Directory.CreateTempSubdirectory("shop-sockets-");

        var ports = _ports = ServiceProjects.ToDictionary(s => s.Name, s => Enumerable.Range(0, Replicas.GetValueOrDefault(s.Name, 1)).Select(_ => LoopbackPorts.Next()).ToList());
        var started = ServiceProjects.Where(s => OnlyServices is null || OnlyServices.Contains(s.Name)).ToArray();
        foreach (var (name, project) in started)
        {
            var instances = new List<ServiceProcess>();
            for (var i = 0; i < ports[name].Count; i++)
            {
                var environment = Environment(ports);
                if (name == "gateway" && GatewayRoutesToAllReplicas)
                    foreach (var (service, key) in GatewayRoutedServices)
                        environment[$"Services__{key}"] = string.Join(",", ports[service].Select(port => $"http://127.0.0.1:{port}"));
                var log = Path.Combine(LogDirectory, ports[name].Count == 1 ? $"{name}.log" : $"{name}-{i + 1}.log");
                instances.Add(new ServiceProcess(ports[name].Count == 1 ? name : $"{name}-{i + 1}", RepositoryLayout.ServiceDll(project), ports[name][i], environment, log)
                {
                    GatewaySocketDirectory = GatewaySocketDirectoryFor(name),
                });
            }
            _services[name] = instances;
        }

        // The first instance of each service creates its schema; the others start once it is ready (docs/DEPENDENCIES.md: concurrent
        // schema creation by two nodes can collide).
        foreach (var (name, _) in started)
            _services[name][0].Start();
        await Task.WhenAll(started.Select(s => _services[s.Name][0].WaitUntilReadyAsync(StartupTimeout)));
        foreach (var instance in _services.Values.SelectMany(list => list.Skip(1)))
            instance.Start();
        await Task.WhenAll(_services.Values.SelectMany(list => list.Skip(1)).Select(i => i.WaitUntilReadyAsync(StartupTimeout)));
    }

    static readonly (string Service, string Key)[] GatewayRoutedServices =
        [("inventory", "Inventory"), ("cart", "Cart"), ("orders", "Orders"), ("payments", "Payments"), ("notifications", "Notifications")];

    Dictionary<string, string> Environment(Dictionary<string, List<int>> ports)
    {
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = Database.ConnectionString,
            ["ConnectionStrings__RabbitMq"] = VirtualHost.AmqpUri.ToString(),
            ["Jwt__SigningKey"] = JwtSigningKey,
            ["Admin__Email"] = AdminEmail,
            ["Admin__Password"] = AdminPassword,
            ["Services__Inventory"] = $"http://127.0.0.1:{ports["inventory"][0]}",
            ["Services__Cart"] = $"http://127.0.0.1:{ports["cart"][0]}",
            ["Services__Orders"] = $"http://127.0.0.1:{ports["orders"][0]}",
            ["Services__Payments"] = $"http://127.0.0.1:{ports["payments"][0]}",
            ["Services__Notifications"] = $"http://127.0.0.1:{ports["notifications"][0]}",
            ["Smtp__Host"] = "127.0.0.1",
            ["Smtp__Port"] = Mail.SmtpPort.ToString(),
            ["Smtp__Security"] = "None",
            ["Http__PublicUrl"] = $"http://127.0.0.1:{ports["gateway"][0]}",
            // The gateway reaches the services over HTTP/2 on their Unix sockets, as with ./shop (ServiceProcess.GatewaySocketDirectory).
            ["Services__SocketDirectory"] = Sockets.FullName,
        };
        // The gateway's per-address and per-user limits are made for a public shop; test suites sign up and poll for many
        // customers from 127.0.0.1 within seconds. Settings (applied below) can set them again, as Gateway.Tests does.
        foreach (var limit in (string[])["Login", "Register", "PerUser", "Anonymous"])
            environment[$"RateLimiting__{limit}__PermitLimit"] = "1000000";
        environment["Lockout__AddressMaxFailures"] = "1000000";
        foreach (var (key, value) in Settings)
            environment[key.Replace(":", "__")] = value;
        return environment;
    }

    /// <summary>
    /// One more process of a service on the cluster's database, broker and mail, with extra settings (e.g. a gateway with
    /// another Admin:Email, to see what its start-up does). Stopped with the cluster.
    /// </summary>
    public async Task<ServiceProcess> StartExtraAsync(string service, IReadOnlyDictionary<string, string> settings)
    {
        var project = ServiceProjects.Single(s => s.Name == service).Project;
        var environment = Environment(_ports);
        foreach (var (key, value) in settings)
            environment[key.Replace(":", "__")] = value;
        var process = new ServiceProcess($"{service}-extra-{_extra.Count + 1}", RepositoryLayout.ServiceDll(project), LoopbackPorts.Next(), environment,
            Path.Combine(LogDirectory, $"{service}-extra-{_extra.Count + 1}.log")) { GatewaySocketDirectory = GatewaySocketDirectoryFor(service) };
        _extra.Add(process);
        process.Start();
        await process.WaitUntilReadyAsync(StartupTimeout);
        return process;
    }

    DirectoryInfo Sockets => _sockets ?? throw new InvalidOperationException("Not started");

    /// <summary>Where the services' sockets for the gateway are (Services:SocketDirectory).</summary>
    public string SocketDirectory => Sockets.FullName;

    /// <summary>Every service but the gateway listens on a socket for the gateway.</summary>
    string? GatewaySocketDirectoryFor(string service) => service == "gateway" ? null : Sockets.FullName;

    public async Task RestartAsync(string service, int instance = 0)
    {
        var process = _services[service][instance];
        process.Kill();
        process.Start();
        await process.WaitUntilReadyAsync(TimeSpan.FromSeconds(180));
    }

    /// <summary>The tails of every service log, for a failing assertion's message.</summary>
    public string Logs(int lines = 30) => string.Join("\n", _services.Values.SelectMany(l => l).Select(p => p.Tail(lines)));

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _services.Values.SelectMany(l => l).Concat(_extra))
            await process.DisposeAsync();
        if (_virtualHost is not null)
            await _virtualHost.DisposeAsync();
        if (_database is not null)
            await _database.DisposeAsync();
        if (_mail is not null)
            await _mail.DisposeAsync();
        _sockets?.Delete(recursive: true);
        GC.SuppressFinalize(this);
    }

}

/// <summary>Finds the repository and the built service DLLs from wherever the tests run.</summary>
public static class RepositoryLayout
{
    public static string Root { get; } = FindRoot();

    public static string Configuration { get; } =
        System.Environment.GetEnvironmentVariable("SHOP_TEST_CONFIGURATION")
        ?? (AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug");

    public static string ServiceDll(string project) => Path.Combine(Root, "src", project, "bin", Configuration, "net10.0", project + ".dll");

    static string FindRoot()
    {
        var fromEnvironment = System.Environment.GetEnvironmentVariable("SHOP_REPO_ROOT");
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
            return fromEnvironment;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Shop.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("Cannot find the repository root (Shop.sln) above " + AppContext.BaseDirectory);
    }
}
