using System.Collections.Concurrent;
using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Shop.Gateway.Identity.Tokens;

/// <summary>An access token that was revoked (by logout) before it expired: its jti, kept until the token expires.</summary>
public class RevokedAccessToken
{
    public string Id { get; set; } = "";
    public Guid UserId { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset RevokedAt { get; set; }
}

/// <summary>
/// The access tokens revoked before their expiry, shared by every gateway instance through PostgreSQL: each instance keeps
/// the live entries in memory (one hash lookup per request, no query), adds its own revocations at once and reads the
/// others' every <c>Jwt:RevocationSyncInterval</c> (1 s by default), so a revoked token stops working everywhere within
/// that interval. Entries leave memory and the table when the token would have expired anyway.
/// </summary>
public sealed class AccessTokenDenyList(IDocumentStore store, TimeProvider clock)
{
    readonly ConcurrentDictionary<string, DateTimeOffset> _revoked = new(StringComparer.Ordinal);
    DateTimeOffset _readUpTo = DateTimeOffset.MinValue;

    public bool IsRevoked(string? jti) => jti is not null && _revoked.TryGetValue(jti, out var expires) && expires > clock.GetUtcNow();

    /// <summary>Revokes the principal's current access token (stored in the session; the caller commits, then calls <see cref="Remember"/>).</summary>
    public RevokedAccessToken? Revoke(IDocumentSession session, ClaimsPrincipal principal, Guid userId)
    {
        var jti = principal.FindFirstValue(JwtRegisteredClaimNames.Jti);
        var exp = principal.FindFirstValue(JwtRegisteredClaimNames.Exp);
        if (jti is null || !long.TryParse(exp, out var seconds))
            return null;
        var entry = new RevokedAccessToken
        {
            Id = jti, UserId = userId, ExpiresAt = DateTimeOffset.FromUnixTimeSeconds(seconds), RevokedAt = clock.GetUtcNow(),
        };
        session.Store(entry);
        return entry;
    }

    public void Remember(RevokedAccessToken entry) => _revoked[entry.Id] = entry.ExpiresAt;

    /// <summary>Reads the revocations made since the last read (with a margin for commits that were in flight) and forgets expired ones.</summary>
    public async Task SyncAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var since = _readUpTo == DateTimeOffset.MinValue ? DateTimeOffset.MinValue : _readUpTo - TimeSpan.FromSeconds(30);
        await using var session = store.QuerySession();
        var entries = await session.Query<RevokedAccessToken>().Where(t => t.RevokedAt >= since && t.ExpiresAt > now).ToListAsync(cancellationToken);
        foreach (var entry in entries)
            _revoked[entry.Id] = entry.ExpiresAt;
        _readUpTo = now;
        foreach (var (jti, expires) in _revoked)
        {
            if (expires <= now)
                _revoked.TryRemove(jti, out _);
        }
    }

    public async Task DeleteExpiredAsync(CancellationToken cancellationToken)
    {
        var cutoff = clock.GetUtcNow() - TimeSpan.FromMinutes(5);
        await using var session = store.LightweightSession();
        session.DeleteWhere<RevokedAccessToken>(t => t.ExpiresAt < cutoff);
        await session.SaveChangesAsync(cancellationToken);
    }
}

/// <summary>How the gateway applies the deny list: its token scheme marks revoked tokens, and the pipeline refuses them.</summary>
public static class AccessTokenRevocation
{
    const string RevokedMarker = "shop:access-token-revoked";

    /// <summary>Makes the gateway's own token scheme refuse revoked tokens (the request is marked for <see cref="UseRevokedTokenRefusal"/>).</summary>
    public static void Enforce(JwtBearerOptions options)
    {
        options.Events ??= new JwtBearerEvents();
        var previous = options.Events.OnTokenValidated;
        options.Events.OnTokenValidated = async context =>
        {
            await previous(context);
            var denyList = context.HttpContext.RequestServices.GetRequiredService<AccessTokenDenyList>();
            if (denyList.IsRevoked(context.Principal?.FindFirstValue(JwtRegisteredClaimNames.Jti)))
            {
                context.HttpContext.Items[RevokedMarker] = true;
                context.Fail("The access token was revoked.");
            }
        };
    }

    /// <summary>
    /// A request carrying a revoked access token gets 401 at the gateway, whatever it asks for: the services behind it check
    /// signature and lifetime but do not know the deny list, so a revoked token must not be passed on to them. (Other
    /// refused tokens go on as before: the service refuses them, or serves what is public.) Runs after authentication.
    /// </summary>
    public static WebApplication UseRevokedTokenRefusal(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (context.Items.ContainsKey(RevokedMarker))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.Headers.WWWAuthenticate = "Bearer";
                await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context,
                    ProblemDetails = { Status = StatusCodes.Status401Unauthorized, Title = "The access token is no longer valid.", Detail = "Sign in again." },
                });
                return;
            }
            await next(context);
        });
        return app;
    }
}

/// <summary>Keeps every instance's <see cref="AccessTokenDenyList"/> current and the table small.</summary>
public sealed class AccessTokenDenyListSync(AccessTokenDenyList denyList, IConfiguration configuration, ILogger<AccessTokenDenyListSync> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = configuration.GetValue("Jwt:RevocationSyncInterval", TimeSpan.FromSeconds(1));
        var lastCleanup = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await denyList.SyncAsync(stoppingToken);
                if (DateTimeOffset.UtcNow - lastCleanup > TimeSpan.FromMinutes(10))
                {
                    await denyList.DeleteExpiredAsync(stoppingToken);
                    lastCleanup = DateTimeOffset.UtcNow;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                logger.LogWarning(exception, "Reading the revoked access tokens failed; retrying");
            }
            try
            {
                await Task.Delay(interval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
