using k8s;
using k8s.Models;
using Shop.Testing;
using Xunit;

namespace Shop.Deployment.Tests.Kubernetes;

/// <summary>
/// deploy/k8s: an offline schema check against the Kubernetes API's JSON schemas (deploy/validate-manifests, node +
/// kubernetes-models), a strict typed parse (unknown fields fail) and what a Shop deployment needs from each resource.
/// </summary>
public sealed class KubernetesManifestTests
{
    const string ManifestFolder = "deploy/k8s";
    const string ValidatorHint = "`./shop test` installs node and runs `npm ci` in deploy/validate-manifests.";
    static readonly string[] MessageConsumers = ["cart", "orders", "payments", "inventory", "notifications"];

    [Fact]
    public async Task Manifests_match_the_Kubernetes_API_schemas()
    {
        AssertValidatorInstalled();
        var result = await Tools.Run("node", ValidatorHint, "deploy/validate-manifests/validate.mjs", ManifestFolder);
        Assert.True(result.ExitCode == 0, $"the schema check failed:\n{result}");
        Assert.Matches(@"^\d+ Kubernetes resources", result.Output);
    }

    [Fact]
    public async Task The_schema_check_rejects_a_broken_manifest()
    {
        AssertValidatorInstalled();
        var broken = Directory.CreateTempSubdirectory("shop-k8s-").FullName;
        foreach (var file in Directory.GetFiles(Tools.PathOf(ManifestFolder), "*.yaml"))
            File.Copy(file, Path.Combine(broken, Path.GetFileName(file)));
        var orders = Path.Combine(broken, "orders.yaml");
        File.WriteAllText(orders, File.ReadAllText(orders).Replace("replicas: 2", "replicas: two"));
        File.WriteAllText(Path.Combine(broken, "forgotten.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: forgotten\n");

        var result = await Tools.Run("node", ValidatorHint, "deploy/validate-manifests/validate.mjs", broken);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("orders.yaml (document 1): Deployment orders: data/spec/replicas must be integer", result.Error);
        Assert.Contains("forgotten.yaml is not listed in kustomization.yaml", result.Error);
    }

    [Fact]
    public void Every_resource_parses_strictly_as_a_Kubernetes_object()
    {
        var resources = Resources();
        Assert.Contains(resources, r => r is V1Namespace);
        Assert.Contains(resources, r => r is V1ConfigMap);
        Assert.Contains(resources, r => r is V1Ingress);

        var typo = File.ReadAllText(Tools.PathOf($"{ManifestFolder}/orders.yaml")).Replace("livenessProbe:", "livenesProbe:");
        var exception = Assert.ThrowsAny<Exception>(() => KubernetesYaml.LoadAllFromString(typo, null, strict: true));
        Assert.Contains("livenesProbe", exception.Message);
    }

    [Fact]
    public void Every_service_runs_several_probed_non_root_replicas_with_its_image_and_settings()
    {
        var resources = Resources();
        var kustomizedImages = Yaml.List(Kustomization()["images"]).Select(i => (string)Yaml.Map(i)["name"]).ToHashSet();

        foreach (var (name, _) in ShopCluster.ServiceProjects)
        {
            var deployment = resources.OfType<V1Deployment>().SingleOrDefault(d => d.Metadata.Name == name)
                ?? throw new Xunit.Sdk.XunitException($"no Deployment '{name}' in {ManifestFolder}");
            Assert.True(deployment.Spec.Replicas >= 2, $"{name} runs {deployment.Spec.Replicas} replica(s); every Shop service is stateless and runs at least two");
            Assert.Equal(0, int.Parse(deployment.Spec.Strategy.RollingUpdate.MaxUnavailable.Value));

            var pod = deployment.Spec.Template;
            Assert.Equal(name, pod.Metadata.Labels["app.kubernetes.io/name"]);
            Assert.Equal(deployment.Spec.Selector.MatchLabels, pod.Metadata.Labels.Where(l => deployment.Spec.Selector.MatchLabels.ContainsKey(l.Key)).ToDictionary());
            Assert.True(pod.Spec.SecurityContext.RunAsNonRoot);
            Assert.Equal(1654, pod.Spec.SecurityContext.RunAsUser); // the 'app' user of the .NET images

            var container = pod.Spec.Containers.Single();
            Assert.StartsWith($"shop/{name}:", container.Image);
            Assert.Contains($"shop/{name}", kustomizedImages);
            Assert.Equal(8080, container.Ports.Single(p => p.Name == "http").ContainerPort);
            Assert.False(container.SecurityContext.AllowPrivilegeEscalation);

            AssertHttpProbe(container.ReadinessProbe, "/health/ready", $"{name} readiness");
            AssertHttpProbe(container.LivenessProbe, "/health/live", $"{name} liveness");
            AssertHttpProbe(container.StartupProbe, "/health/live", $"{name} start-up");

            Assert.Contains(container.EnvFrom, e => e.ConfigMapRef?.Name == "shop-config");
            var secrets = container.Env.Where(e => e.ValueFrom?.SecretKeyRef?.Name == "shop-secrets").Select(e => e.Name).ToHashSet();
            Assert.Contains("ConnectionStrings__Postgres", secrets);
            Assert.Contains("Jwt__SigningKey", secrets);
            Assert.Equal(MessageConsumers.Contains(name), secrets.Contains("ConnectionStrings__RabbitMq"));
            Assert.Equal(name == "gateway", secrets.Contains("Admin__Password"));
            Assert.All(container.Env, e => Assert.Null(e.Value)); // every direct value is a secret reference

            var service = resources.OfType<V1Service>().SingleOrDefault(s => s.Metadata.Name == name)
                ?? throw new Xunit.Sdk.XunitException($"no Service '{name}'");
            Assert.Equal(name, service.Spec.Selector["app.kubernetes.io/name"]);
            Assert.Equal("http", service.Spec.Ports.Single().TargetPort.Value);

            var budget = resources.OfType<V1PodDisruptionBudget>().SingleOrDefault(b => b.Metadata.Name == name)
                ?? throw new Xunit.Sdk.XunitException($"no PodDisruptionBudget '{name}'");
            Assert.Equal(name, budget.Spec.Selector.MatchLabels["app.kubernetes.io/name"]);
        }

        var ingress = resources.OfType<V1Ingress>().Single();
        Assert.Equal("gateway", ingress.Spec.Rules.Single().Http.Paths.Single().Backend.Service.Name);
    }

    [Fact]
    public void The_config_map_routes_the_gateway_to_the_in_cluster_services_and_holds_no_secret()
    {
        var resources = Resources();
        var config = resources.OfType<V1ConfigMap>().Single(c => c.Metadata.Name == "shop-config").Data;
        var services = resources.OfType<V1Service>().Select(s => s.Metadata.Name).ToHashSet();

        foreach (var key in new[] { "Inventory", "Cart", "Orders", "Payments", "Notifications" })
        {
            var address = new Uri(config[$"Services__{key}"]);
            Assert.Contains(address.Host, services);
        }
        Assert.Contains("Smtp__Host", config.Keys);
        // The senders' addresses under the keys the services read (there is no Smtp:From).
        Assert.Contains("Identity__Email__From", config.Keys);
        Assert.Contains("Notifications__Email__From", config.Keys);
        Assert.DoesNotContain("Smtp__From", config.Keys);
        Assert.Contains("Otel__Endpoint", config.Keys);
        Assert.DoesNotContain(config.Keys, k => k.Contains("Password", StringComparison.OrdinalIgnoreCase)
                                                || k.Contains("SigningKey", StringComparison.OrdinalIgnoreCase)
                                                || k.StartsWith("ConnectionStrings", StringComparison.Ordinal));
        Assert.Equal("shop", (string)Kustomization()["namespace"]);
    }

    static void AssertHttpProbe(V1Probe? probe, string path, string what)
    {
        Assert.True(probe?.HttpGet is not null, $"{what} probe is missing or not an HTTP GET");
        Assert.Equal(path, probe!.HttpGet.Path);
        Assert.Equal("http", probe.HttpGet.Port.Value);
    }

    static void AssertValidatorInstalled()
    {
        if (!Directory.Exists(Tools.PathOf("deploy/validate-manifests/node_modules/kubernetes-models")))
            throw new InvalidOperationException($"The manifest schema check's packages are not installed. {ValidatorHint}");
    }

    static Dictionary<string, object> Kustomization() =>
        Yaml.Map(new YamlDotNet.Serialization.DeserializerBuilder().Build().Deserialize<object>(File.ReadAllText(Tools.PathOf($"{ManifestFolder}/kustomization.yaml"))));

    /// <summary>Every resource the kustomization lists, parsed strictly: an unknown field fails instead of vanishing.</summary>
    static List<object> Resources() =>
        Yaml.List(Kustomization()["resources"])
            .SelectMany(file => KubernetesYaml.LoadAllFromString(File.ReadAllText(Tools.PathOf($"{ManifestFolder}/{file}")), null, strict: true))
            .ToList();
}
