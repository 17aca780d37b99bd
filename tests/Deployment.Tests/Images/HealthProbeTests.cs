using Shop.Testing;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Shop.HealthProbe;
using Xunit;

namespace Shop.Deployment.Tests.Images;

/// <summary>The container HEALTHCHECK program against a real HTTP server.</summary>
public sealed class HealthProbeTests : IAsyncLifetime
{
    WebApplication? _server;
    string _baseUrl = "";

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        _baseUrl = $"http://127.0.0.1:{LoopbackPorts.Next()}";
        builder.WebHost.UseUrls(_baseUrl);
        _server = builder.Build();
        _server.MapGet("/health/ready", () => Results.Ok("Healthy"));
        _server.MapGet("/health/down", () => Results.StatusCode(StatusCodes.Status503ServiceUnavailable));
        _server.MapGet("/health/slow", async () => { await Task.Delay(TimeSpan.FromSeconds(5)); return Results.Ok(); });
        await _server.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
            await _server.DisposeAsync();
    }

    [Fact]
    public async Task A_healthy_service_exits_zero() =>
        Assert.Equal(Probe.Healthy, await Probe.RunAsync([$"{_baseUrl}/health/ready"], TextWriter.Null));

    [Fact]
    public async Task An_unhealthy_answer_exits_one_and_says_why()
    {
        var report = new StringWriter();
        Assert.Equal(Probe.Unhealthy, await Probe.RunAsync([$"{_baseUrl}/health/down"], report));
        Assert.Contains("503", report.ToString());
    }

    [Fact]
    public async Task No_listener_exits_one() =>
        Assert.Equal(Probe.Unhealthy, await Probe.RunAsync([$"http://127.0.0.1:{LoopbackPorts.Next()}/health/ready"], TextWriter.Null));

    [Fact]
    public async Task An_answer_slower_than_the_timeout_exits_one() =>
        Assert.Equal(Probe.Unhealthy, await Probe.RunAsync([$"{_baseUrl}/health/slow", "0.5"], TextWriter.Null));

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://127.0.0.1/health")]
    public async Task A_bad_url_is_a_usage_error(string url) =>
        Assert.Equal(Probe.Usage, await Probe.RunAsync([url], TextWriter.Null));

}
