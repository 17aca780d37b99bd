using System.Text.RegularExpressions;
using Shop.Testing;
using Xunit;
using YamlDotNet.Serialization;

namespace Shop.Deployment.Tests.Compose;

/// <summary>
/// docker-compose.yml, checked with Debian's docker-compose 1.29 (no Docker engine is needed to validate and render it)
/// and then read back as the configuration docker-compose would run.
/// </summary>
public sealed partial class ComposeFileTests
{
    static readonly string[] RequiredSecrets = ["POSTGRES_PASSWORD", "RABBITMQ_PASSWORD", "JWT_SIGNING_KEY", "ADMIN_PASSWORD"];
    static readonly string[] Infrastructure = ["postgres", "rabbitmq", "maildev", "jaeger"];

    [Fact]
    public async Task Docker_compose_v1_accepts_the_file_with_the_env_template()
    {
        var result = await Tools.DockerCompose("--env-file", ".env.example", "-f", "docker-compose.yml", "config", "-q");
        Assert.True(result.ExitCode == 0, $"docker-compose config -q rejected docker-compose.yml:\n{result}");
    }

    [Fact]
    public async Task Compose_refuses_to_run_while_any_secret_is_unset()
    {
        var required = RequiredVariable().Matches(File.ReadAllText(Tools.PathOf("docker-compose.yml"))).Select(m => m.Groups[1].Value).ToHashSet();
        Assert.Equal(RequiredSecrets.Order(), required.Order());

        var template = File.ReadAllLines(Tools.PathOf(".env.example"));
        foreach (var secret in RequiredSecrets)
        {
            Assert.Contains(template, line => line.StartsWith(secret + "=", StringComparison.Ordinal));
            var envFile = await WriteEnvFile(RequiredSecrets.Where(s => s != secret).ToDictionary(s => s, _ => "set"));
            var result = await Tools.DockerCompose("--env-file", envFile, "-f", "docker-compose.yml", "config", "-q");
            Assert.True(result.ExitCode != 0, $"compose accepted a missing {secret}:\n{result}");
            Assert.Contains(secret, result.Error);
        }
    }

    [Fact]
    public async Task Every_service_runs_with_postgres_rabbitmq_management_smtp_sink_and_trace_viewer()
    {
        var services = (await RenderedServices()).ToDictionary();
        foreach (var (name, project) in ShopCluster.ServiceProjects)
        {
            Assert.True(services.ContainsKey(name), $"docker-compose.yml has no '{name}' service");
            var service = services[name];
            var build = Yaml.Map(service["build"]);
            Assert.Equal($"src/{project}/Dockerfile", build["dockerfile"]);
            Assert.True(File.Exists(Tools.PathOf($"src/{project}/Dockerfile")));
            Assert.Equal(Tools.Root, build["context"]);
            Assert.Matches($"/{name}:", (string)service["image"]);

            var dependsOn = Yaml.Map(service["depends_on"]);
            foreach (var dependency in new[] { "postgres", "rabbitmq" })
                Assert.Equal("service_healthy", Yaml.Map(dependsOn[dependency])["condition"]);
        }
        foreach (var name in Infrastructure)
            Assert.True(services.ContainsKey(name), $"docker-compose.yml has no '{name}' service");

        Assert.EndsWith("-management", (string)services["rabbitmq"]["image"]);
        Assert.Contains("maildev", (string)services["maildev"]["image"]);
        Assert.Contains("jaeger", (string)services["jaeger"]["image"]);
        Assert.True(services["postgres"].ContainsKey("healthcheck"));
        Assert.True(services["rabbitmq"].ContainsKey("healthcheck"));

        // Published: the gateway, the RabbitMQ management UI, MailDev's inbox and Jaeger's UI — on loopback by default.
        Assert.Equal("127.0.0.1:8080:8080", PublishedPorts(services["gateway"]).Single());
        Assert.Contains("127.0.0.1:15672:15672", PublishedPorts(services["rabbitmq"]));
        Assert.Contains("127.0.0.1:1080:1080", PublishedPorts(services["maildev"]));
        Assert.Contains("127.0.0.1:16686:16686", PublishedPorts(services["jaeger"]));
        foreach (var (name, _) in ShopCluster.ServiceProjects.Where(s => s.Name != "gateway"))
            Assert.False(services[name].ContainsKey("ports"), $"{name} publishes a port: it could not be scaled with --scale");
    }

    [Fact]
    public async Task Services_get_their_settings_and_secrets_from_the_environment()
    {
        var services = (await RenderedServices(new Dictionary<string, string>
        {
            ["POSTGRES_PASSWORD"] = "pgSentinel1", ["RABBITMQ_PASSWORD"] = "mqSentinel2",
            ["JWT_SIGNING_KEY"] = "jwtSentinel3", ["ADMIN_PASSWORD"] = "adminSentinel4",
        })).ToDictionary();

        foreach (var (name, _) in ShopCluster.ServiceProjects)
        {
            var environment = Environment(services[name]);
            Assert.Contains("Host=postgres;Port=5432;Database=shop;Username=shop;Password=pgSentinel1;", environment["ConnectionStrings__Postgres"]);
            Assert.Equal("jwtSentinel3", environment["Jwt__SigningKey"]);
            Assert.Equal("http://jaeger:4317", environment["Otel__Endpoint"]);
            if (name != "gateway")
                Assert.Equal("amqp://shop:mqSentinel2@rabbitmq:5672/shop", environment["ConnectionStrings__RabbitMq"]);
        }

        var gateway = Environment(services["gateway"]);
        Assert.Equal("adminSentinel4", gateway["Admin__Password"]);
        foreach (var (key, service) in new[] { ("Inventory", "inventory"), ("Cart", "cart"), ("Orders", "orders"), ("Payments", "payments"), ("Notifications", "notifications") })
            Assert.Equal($"http://{service}:8080", gateway[$"Services__{key}"]);
        Assert.Equal("http://inventory:8080", Environment(services["cart"])["Services__Inventory"]);

        var postgres = Environment(services["postgres"]);
        Assert.Equal("pgSentinel1", postgres["POSTGRES_PASSWORD"]);
        Assert.Equal("mqSentinel2", Environment(services["rabbitmq"])["RABBITMQ_DEFAULT_PASS"]);
        Assert.Equal("shop", Environment(services["rabbitmq"])["RABBITMQ_DEFAULT_VHOST"]);

        // Both senders (the gateway's account email, NotificationService's order email) reach the MailDev sink, which
        // offers no TLS: with the default StartTls every email would fail. Their sender addresses under the keys they read.
        var notifications = Environment(services["notifications"]);
        foreach (var sender in new[] { gateway, notifications })
        {
            Assert.Equal("maildev", sender["Smtp__Host"]);
            Assert.Equal(Environment(services["maildev"])["MAILDEV_SMTP_PORT"], sender["Smtp__Port"]);
            Assert.Equal("None", sender["Smtp__Security"]);
            Assert.DoesNotContain("Smtp__From", sender.Keys);
        }
        Assert.Equal("shop@shop.local", gateway["Identity__Email__From"]);
        Assert.Equal("shop@shop.local", notifications["Notifications__Email__From"]);
    }

    static async Task<IEnumerable<KeyValuePair<string, Dictionary<string, object>>>> RenderedServices(Dictionary<string, string>? secrets = null)
    {
        var envFile = await WriteEnvFile(secrets ?? RequiredSecrets.ToDictionary(s => s, _ => "set"));
        var result = await Tools.DockerCompose("--env-file", envFile, "-f", "docker-compose.yml", "config");
        Assert.True(result.ExitCode == 0, $"docker-compose config failed:\n{result}");
        var document = Yaml.Map(new DeserializerBuilder().Build().Deserialize<object>(result.Output));
        return Yaml.Map(document["services"]).Select(s => KeyValuePair.Create(s.Key, Yaml.Map(s.Value)));
    }

    static Dictionary<string, string> Environment(Dictionary<string, object> service) =>
        Yaml.Map(service["environment"]).ToDictionary(e => e.Key, e => e.Value?.ToString() ?? "");

    static List<string> PublishedPorts(Dictionary<string, object> service) =>
        Yaml.List(service["ports"]).Select(p => p switch
        {
            string text => text.EndsWith("/tcp", StringComparison.Ordinal) ? text[..^4] : text,
            _ => $"{Yaml.Map(p)["host_ip"]}:{Yaml.Map(p)["published"]}:{Yaml.Map(p)["target"]}",
        }).ToList();

    static async Task<string> WriteEnvFile(Dictionary<string, string> values)
    {
        var path = Path.Combine(Path.GetTempPath(), $"shop-compose-{Guid.NewGuid():N}.env");
        await File.WriteAllLinesAsync(path, values.Select(v => $"{v.Key}={v.Value}"));
        return path;
    }

    [GeneratedRegex(@"\$\{([A-Z0-9_]+):\?")]
    private static partial Regex RequiredVariable();
}
