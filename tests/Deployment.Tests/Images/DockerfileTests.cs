using System.Text.RegularExpressions;
using System.Xml.Linq;
using Shop.Testing;
using Xunit;

namespace Shop.Deployment.Tests.Images;

/// <summary>
/// The Dockerfile of each service, read instruction by instruction (no Docker engine here can build it): multi-stage on
/// the official .NET 10 images, every project the service needs in the build
/// context, a non-root user, a health check that needs no curl, and the right entry point.
/// </summary>
public sealed partial class DockerfileTests
{
    public static TheoryData<string> Projects() => new(ShopCluster.ServiceProjects.Select(s => s.Project));

    [Theory]
    [MemberData(nameof(Projects))]
    public void Builds_in_an_sdk_stage_and_runs_as_non_root_on_the_aspnet_image(string project)
    {
        var instructions = Instructions(project);
        Assert.Contains(instructions, i => i == "ARG DOTNET_VERSION=10.0");

        var stages = instructions.Where(i => i.StartsWith("FROM ", StringComparison.Ordinal)).ToList();
        Assert.Contains("FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS build", stages);
        Assert.Equal("FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION} AS runtime", stages.Last());

        var runtime = FinalStage(instructions);
        Assert.Contains(runtime, i => i == "COPY --from=build /out/app ./");
        var user = Assert.Single(runtime, i => i.StartsWith("USER ", StringComparison.Ordinal));
        Assert.Equal("USER $APP_UID", user);
        // Nothing after USER may switch back to root.
        Assert.DoesNotContain(runtime.SkipWhile(i => i != user), i => i.StartsWith("RUN ", StringComparison.Ordinal));

        var assembly = AssemblyName(project);
        Assert.Equal($"ENTRYPOINT [\"dotnet\", \"{assembly}.dll\"]", runtime.Last());
    }

    [Fact]
    public void The_gateway_image_builds_and_serves_the_web_app()
    {
        var instructions = Instructions("Gateway");
        Assert.Contains("FROM node:${NODE_VERSION}-bookworm-slim AS webapp", instructions);
        // Locked dependencies, and the same build script ./shop runs (type check, then vite).
        Assert.Contains(instructions, i => i.StartsWith("RUN npm ci", StringComparison.Ordinal));
        Assert.Contains("RUN npm run build", instructions);
        var runtime = FinalStage(instructions);
        Assert.Contains("COPY --from=webapp /webapp/dist ./wwwroot", runtime);
        Assert.Contains(runtime, i => i.Contains("WebApp__Root=/app/wwwroot", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void Health_check_asks_the_readiness_endpoint_through_the_bundled_probe(string project)
    {
        var runtime = FinalStage(Instructions(project));
        var healthCheck = Assert.Single(runtime, i => i.StartsWith("HEALTHCHECK ", StringComparison.Ordinal));
        Assert.Contains("CMD [\"dotnet\", \"/probe/HealthProbe.dll\", \"http://127.0.0.1:8080/health/ready\"", healthCheck);
        Assert.DoesNotContain("curl", healthCheck);
        Assert.Contains(runtime, i => i == "COPY --from=build /out/probe /probe/");
        Assert.Contains(Instructions(project), i => i.Contains("dotnet publish src/HealthProbe/HealthProbe.csproj", StringComparison.Ordinal));
        // The probe's default port is the one the image listens on.
        Assert.Contains(runtime, i => i.Contains("ASPNETCORE_HTTP_PORTS=8080", StringComparison.Ordinal));
        Assert.Equal("http://127.0.0.1:8080/health/ready", HealthProbe.Probe.DefaultUrl);
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void Copies_every_project_it_builds(string project)
    {
        var instructions = Instructions(project);

        var copied = instructions.Where(i => i.StartsWith("COPY ", StringComparison.Ordinal) && !i.StartsWith("COPY --from", StringComparison.Ordinal))
            .SelectMany(i => i.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..^1])
            .ToList();
        var ignored = File.ReadAllLines(Tools.PathOf(".dockerignore")).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        foreach (var source in copied)
        {
            Assert.True(File.Exists(Tools.PathOf(source)) || Directory.Exists(Tools.PathOf(source)), $"{project}/Dockerfile copies {source}, which does not exist");
            Assert.DoesNotContain(ignored, pattern => source.TrimEnd('/') == pattern || source.StartsWith(pattern + "/", StringComparison.Ordinal));
        }
        foreach (var file in new[] { "nuget.config", "Directory.Build.props", "Directory.Packages.props" })
            Assert.Contains(file, copied);

        // A project reference the Dockerfile does not copy would fail the image build only on a machine with Docker.
        foreach (var dependency in ProjectClosure($"src/{project}/{project}.csproj").Append("src/HealthProbe/HealthProbe.csproj"))
        {
            Assert.Contains(dependency, copied); // for the restore layer
            Assert.Contains(Path.GetDirectoryName(dependency)!.Replace('\\', '/') + "/", copied); // its sources
        }
    }

    static List<string> ProjectClosure(string csproj)
    {
        var result = new List<string> { csproj };
        for (var i = 0; i < result.Count; i++)
        {
            var directory = Path.GetDirectoryName(result[i])!;
            foreach (var reference in XDocument.Load(Tools.PathOf(result[i])).Descendants("ProjectReference"))
            {
                var path = Path.GetRelativePath(Tools.Root, Path.GetFullPath(Path.Combine(Tools.Root, directory, reference.Attribute("Include")!.Value))).Replace('\\', '/');
                if (!result.Contains(path))
                    result.Add(path);
            }
        }
        return result;
    }

    static string AssemblyName(string project) =>
        XDocument.Load(Tools.PathOf($"src/{project}/{project}.csproj")).Descendants("AssemblyName").Single().Value;

    static List<string> FinalStage(List<string> instructions) =>
        instructions.Skip(instructions.FindLastIndex(i => i.StartsWith("FROM ", StringComparison.Ordinal))).ToList();

    /// <summary>The Dockerfile's instructions, comments dropped and continuation lines joined, whitespace collapsed.</summary>
    static List<string> Instructions(string project)
    {
        var path = Tools.PathOf($"src/{project}/Dockerfile");
        Assert.True(File.Exists(path), $"{project} has no Dockerfile");
        var lines = File.ReadAllLines(path).Where(l => !l.TrimStart().StartsWith('#'));
        var joined = string.Join("\n", lines).Replace("\\\n", " ");
        return joined.Split('\n').Select(l => Whitespace().Replace(l.Trim(), " ")).Where(l => l.Length > 0).ToList();
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
