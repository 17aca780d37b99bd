using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Shop.OperatorCli;

/// <summary>The services' admin endpoints, reached through the gateway (/api/admin/{service}/...) with an admin's token.</summary>
public sealed class AdminApi(HttpClient http, Credentials credentials) : IDisposable
{
    public static readonly string[] Services = ["inventory", "cart", "orders", "payments", "notifications"];

    /// <summary>Which service keeps which kind of stream.</summary>
    public static readonly IReadOnlyDictionary<string, string> StreamServices = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["order"] = "orders", ["cart"] = "cart", ["payment"] = "payments", ["stock"] = "inventory",
    };

    bool _authenticated;

    public async Task<JsonElement> Get(string service, string path, CancellationToken cancellationToken)
    {
        using var response = await Send(HttpMethod.Get, service, path, null, cancellationToken);
        return await Read(response, cancellationToken);
    }

    /// <summary>GET that answers null for 404 (for trying one service after another).</summary>
    public async Task<JsonElement?> Find(string service, string path, CancellationToken cancellationToken)
    {
        using var response = await Send(HttpMethod.Get, service, path, null, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
            return null;
        return await Read(response, cancellationToken);
    }

    public async Task<JsonElement> Post(string service, string path, object? body, CancellationToken cancellationToken)
    {
        using var response = await Send(HttpMethod.Post, service, path, body, cancellationToken);
        return await Read(response, cancellationToken);
    }

    async Task<HttpResponseMessage> Send(HttpMethod method, string service, string path, object? body, CancellationToken cancellationToken)
    {
        await Authenticate(cancellationToken);
        using var request = new HttpRequestMessage(method, $"api/admin/{service}/{path.TrimStart('/')}");
        if (body is not null)
            request.Content = JsonContent.Create(body);
        try
        {
            return await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException exception)
        {
            throw new CliException($"Cannot reach the gateway at {http.BaseAddress}: {exception.Message}");
        }
    }

    async Task Authenticate(CancellationToken cancellationToken)
    {
        if (_authenticated)
            return;
        var token = credentials.Token;
        if (token is null)
        {
            if (credentials.Email is null || credentials.Password is null)
                throw new CliException("Give an admin token (--token or SHOP_TOKEN) or an admin's --email and --password (or SHOP_ADMIN_EMAIL and SHOP_ADMIN_PASSWORD).");
            HttpResponseMessage response;
            try
            {
                response = await http.PostAsJsonAsync("api/auth/login", new { email = credentials.Email, password = credentials.Password }, cancellationToken);
            }
            catch (HttpRequestException exception)
            {
                throw new CliException($"Cannot reach the gateway at {http.BaseAddress}: {exception.Message}");
            }
            using (response)
            {
                if (!response.IsSuccessStatusCode)
                    throw new CliException($"Login as {credentials.Email} failed: {await Problem(response, cancellationToken)}");
                var tokens = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
                token = tokens.GetProperty("accessToken").GetString();
            }
        }
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        _authenticated = true;
    }

    static async Task<JsonElement> Read(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
            throw new CliException(response.StatusCode switch
            {
                HttpStatusCode.Unauthorized => "The gateway refused the credentials (401): the token is missing, expired or invalid.",
                HttpStatusCode.Forbidden => "The user is not an admin (403).",
                _ => await Problem(response, cancellationToken),
            });
        if (response.Content.Headers.ContentLength == 0)
            return default;
        return await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
    }

    static async Task<string> Problem(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            var problem = JsonSerializer.Deserialize<JsonElement>(text);
            var parts = new List<string>();
            if (problem.TryGetProperty("title", out var title))
                parts.Add(title.GetString() ?? "");
            if (problem.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String)
                parts.Add(detail.GetString()!);
            if (problem.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
                parts.AddRange(errors.EnumerateObject().Select(e => $"{e.Name}: {string.Join(" ", e.Value.EnumerateArray().Select(v => v.GetString()))}"));
            return $"{(int)response.StatusCode} {string.Join(" ", parts)}";
        }
        catch (JsonException)
        {
            return $"{(int)response.StatusCode} {response.ReasonPhrase} {text}".Trim();
        }
    }

    public void Dispose() => http.Dispose();
}

public sealed record Credentials(string? Token, string? Email, string? Password);

/// <summary>A failure to report to the operator as one line (exit code 1), not as a stack trace.</summary>
public sealed class CliException(string message) : Exception(message);
