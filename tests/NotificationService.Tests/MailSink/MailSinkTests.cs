using System.Net;
using System.Net.Sockets;
using System.Text;
using MailKit.Security;
using MimeKit;
using Shop.Testing;
using Xunit;

namespace Shop.NotificationService.Tests.MailSink;

/// <summary>
/// The local mail sink (maildev behind build/mail-sink/mail-sink.mjs, as ./shop run starts it) serves its inbox to its own
/// page only: maildev by itself answers any web origin with credentials, so any site a developer opened could read every
/// customer email, verification links included.
/// </summary>
public sealed class MailSinkTests : IAsyncLifetime
{
    readonly MailDevServer _sink = new(Path.Combine(RepositoryLayout.Root, ".shop", "test-logs", $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-mail-sink"));
    HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        await _sink.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_sink.WebPort}/") };
        var message = new MimeMessage { Subject = "Confirm your email address", Body = new TextPart("plain") { Text = "secret link" } };
        message.From.Add(MailboxAddress.Parse("shop@shop.test"));
        message.To.Add(MailboxAddress.Parse("ada@shop.test"));
        using var smtp = new MailKit.Net.Smtp.SmtpClient();
        await smtp.ConnectAsync("127.0.0.1", _sink.SmtpPort, SecureSocketOptions.None);
        await smtp.SendAsync(message);
        await smtp.DisconnectAsync(true);
        Assert.True(await Poll.Until(async () => (await _sink.EmailsAsync()).Count == 1, TimeSpan.FromSeconds(20)), "the email did not arrive");
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _sink.DisposeAsync();
    }

    [Theory]
    [InlineData("api/email")]
    [InlineData("email")]
    [InlineData("api/healthz")]
    public async Task A_foreign_origin_gets_403_and_no_CORS_headers(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Origin", "http://evil.example");
        using var response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        AssertNoCors(response);
        Assert.DoesNotContain("secret link", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_cross_origin_preflight_gets_no_permission()
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, "api/email");
        request.Headers.Add("Origin", "http://evil.example");
        request.Headers.Add("Access-Control-Request-Method", "DELETE");
        request.Headers.Add("Access-Control-Request-Headers", "content-type");
        using var response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        AssertNoCors(response);
    }

    [Fact]
    public async Task A_DNS_rebinding_page_with_a_foreign_Host_gets_403()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/email");
        request.Headers.Host = $"rebound.evil.example:{_sink.WebPort}";
        using var response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.DoesNotContain("secret link", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_foreign_origin_cannot_open_the_live_update_socket()
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, _sink.WebPort);
        await using var stream = client.GetStream();
        var upgrade = $"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:{_sink.WebPort}\r\nOrigin: http://evil.example\r\n" +
                      "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(upgrade));
        var buffer = new byte[512];
        var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.StartsWith("HTTP/1.1 403", Encoding.ASCII.GetString(buffer, 0, read));
    }

    [Fact]
    public async Task Its_own_page_and_plain_clients_still_read_the_inbox_without_CORS_headers()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/email");
        request.Headers.Add("Origin", $"http://127.0.0.1:{_sink.WebPort}");
        using var response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("secret link", await response.Content.ReadAsStringAsync());
        AssertNoCors(response);
        Assert.Single(await _sink.EmailsAsync()); // no Origin at all: the tests' own client
    }

    static void AssertNoCors(HttpResponseMessage response)
    {
        var cors = response.Headers.Concat(response.Content.Headers).Where(h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.True(cors.Count == 0, $"CORS headers: {string.Join(", ", cors.Select(h => $"{h.Key}: {string.Join(",", h.Value)}"))}");
    }
}
