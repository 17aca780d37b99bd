using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Shop.Benchmarks.Checkout;

/// <summary>
/// The public API through the gateway, shared by every simulated customer: one connection pool, the customer's token on
/// each request (not on the client), so hundreds of customers cost no more sockets than the requests in flight. Given a
/// service's own address instead (the read path's direct measurement), it renews tokens through <paramref name="tokens"/>,
/// the gateway, because only the gateway signs customers in.
/// </summary>
public sealed class ShopHttp(Uri gateway, ShopHttp? tokens = null) : IDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public HttpClient Client { get; } = new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(10),
        MaxConnectionsPerServer = int.MaxValue,
        ConnectTimeout = TimeSpan.FromSeconds(10),
    })
    { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(30) };

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, Account? account, CancellationToken cancellationToken,
        object? body = null, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (account is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await account.AccessTokenAsync(tokens ?? this, cancellationToken));
        if (body is not null)
            request.Content = JsonContent.Create(body, options: Json);
        if (idempotencyKey is not null)
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await Client.SendAsync(request, cancellationToken);
    }

    public async Task<T> SendForAsync<T>(HttpMethod method, string path, Account? account, CancellationToken cancellationToken, object? body = null)
    {
        using var response = await SendAsync(method, path, account, cancellationToken, body);
        await EnsureSuccessAsync(response, cancellationToken);
        return (await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken))!;
    }

    public static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
            return;
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var hint = response.StatusCode == HttpStatusCode.TooManyRequests ? RateLimitHint : "";
        throw new BenchmarkException($"{(int)response.StatusCode} from {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: " +
                                     $"{body[..Math.Min(body.Length, 300)]}{hint}");
    }

    public const string RateLimitHint =
        " — the gateway's rate limits are not raised: start the system for a benchmark with RateLimiting__{Login,Register,PerUser,Anonymous}__PermitLimit=1000000 (./shop bench does)";

    public void Dispose() => Client.Dispose();
}

/// <summary>A Shop account and its access token, renewed with the refresh token before it expires.</summary>
public sealed class Account(string email, string password)
{
    record Tokens(string AccessToken, string RefreshToken, int ExpiresIn);

    readonly SemaphoreSlim _renewal = new(1, 1);
    Tokens? _tokens;
    DateTimeOffset _renewAt;

    public string Email { get; } = email;

    record UserFound(Guid Id);

    /// <summary>
    /// Registers a customer and has <paramref name="admin"/> verify its address through the admin API (the benchmark signs
    /// up hundreds of customers; reading each one's verification email would measure the mail sink), then signs in.
    /// </summary>
    public static async Task<Account> RegisterAsync(ShopHttp http, string email, string password, Account admin, CancellationToken cancellationToken)
    {
        using (var response = await http.SendAsync(HttpMethod.Post, "api/auth/register", null, cancellationToken, new { email, password, name = "Benchmark Customer" }))
            await ShopHttp.EnsureSuccessAsync(response, cancellationToken);
        var user = await http.SendForAsync<UserFound>(HttpMethod.Get, $"api/users?email={Uri.EscapeDataString(email)}", admin, cancellationToken);
        using (var verified = await http.SendAsync(HttpMethod.Post, $"api/users/{user.Id}/verify", admin, cancellationToken))
            await ShopHttp.EnsureSuccessAsync(verified, cancellationToken);
        var account = new Account(email, password);
        await account.AccessTokenAsync(http, cancellationToken);
        return account;
    }

    public async Task<string> AccessTokenAsync(ShopHttp http, CancellationToken cancellationToken)
    {
        if (_tokens is { } current && DateTimeOffset.UtcNow < _renewAt)
            return current.AccessToken;
        await _renewal.WaitAsync(cancellationToken);
        try
        {
            if (_tokens is { } renewed && DateTimeOffset.UtcNow < _renewAt)
                return renewed.AccessToken;
            var now = DateTimeOffset.UtcNow;
            _tokens = _tokens is null
                ? await http.SendForAsync<Tokens>(HttpMethod.Post, "api/auth/login", null, cancellationToken, new { email = Email, password })
                : await http.SendForAsync<Tokens>(HttpMethod.Post, "api/auth/refresh", null, cancellationToken, new { refreshToken = _tokens.RefreshToken });
            // A minute early, so no request in flight carries a token that expires on the way.
            _renewAt = now + TimeSpan.FromSeconds(Math.Max(_tokens.ExpiresIn - 60, _tokens.ExpiresIn / 2));
            return _tokens.AccessToken;
        }
        finally
        {
            _renewal.Release();
        }
    }
}

/// <summary>The benchmark cannot go on (system missing, API refusing); its message says why.</summary>
public sealed class BenchmarkException(string message) : Exception(message);
