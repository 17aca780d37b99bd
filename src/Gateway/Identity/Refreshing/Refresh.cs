using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Shop.BuildingBlocks.Http;
using Shop.BuildingBlocks.Security;
using Shop.Gateway.Identity.Tokens;

namespace Shop.Gateway.Identity.Refreshing;

public record RefreshRequest([Required, StringLength(200)] string RefreshToken);

public static class RefreshEndpoint
{
    /// <summary>Rotates a refresh token. Presenting a token that was already rotated or revoked revokes its whole family.</summary>
    public static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> Refresh(
        RefreshRequest request, IDocumentSession session, TokenIssuer tokens, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var token = await session.LoadAsync<RefreshToken>(RefreshToken.HashOf(request.RefreshToken), cancellationToken);
        if (token is null || token.ExpiresAt <= now)
            return Rejected();

        if (token.RevokedAt is not null)
        {
            await Sessions.RevokeFamilyAsync(session, token.FamilyId, now, cancellationToken);
            await session.SaveChangesAsync(cancellationToken);
            return Rejected();
        }

        var user = await session.LoadAsync<User>(token.UserId, cancellationToken);
        if (user is null)
            return Rejected();

        var response = tokens.Issue(user, session, token.FamilyId);
        token.RevokedAt = now;
        token.ReplacedBy = RefreshToken.HashOf(response.RefreshToken);
        // Optimistic concurrency: two concurrent uses of one token cannot both rotate it.
        session.Update(token);
        await session.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(response);
    }

    /// <summary>
    /// POST /api/auth/logout {refreshToken}, signed in: ends the caller's session — the refresh token's family and the
    /// access token of this request, which every gateway instance refuses from then on (<see cref="AccessTokenDenyList"/>).
    /// Only the owner of a refresh token can end its session: someone else's token (or an unknown one) answers 404 and
    /// changes nothing. Logging out of a session that already ended answers 204 again.
    /// </summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> Logout(RefreshRequest request, ClaimsPrincipal principal, IDocumentSession session,
        AccessTokenDenyList denyList, TimeProvider clock, ILogger<RefreshToken> logger, CancellationToken cancellationToken)
    {
        var userId = principal.GetUserId();
        var token = await session.LoadAsync<RefreshToken>(RefreshToken.HashOf(request.RefreshToken), cancellationToken);
        if (token is null || token.UserId != userId)
        {
            if (token is not null)
                logger.LogWarning("User {UserId} tried to log out a session of user {OwnerId}", userId, token.UserId);
            return Problems.NotFound("The session of this refresh token");
        }

        await Sessions.RevokeFamilyAsync(session, token.FamilyId, clock.GetUtcNow(), cancellationToken);
        var revoked = denyList.Revoke(session, principal, userId);
        await session.SaveChangesAsync(cancellationToken);
        if (revoked is not null)
            denyList.Remember(revoked);
        return TypedResults.NoContent();
    }

    static ProblemHttpResult Rejected() =>
        TypedResults.Problem(title: "The refresh token is invalid, expired or revoked.", statusCode: StatusCodes.Status401Unauthorized);
}

/// <summary>Ends sessions: a refresh token family, or every session of an account.</summary>
public static class Sessions
{
    public static async Task RevokeFamilyAsync(IDocumentSession session, Guid familyId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var family = await session.Query<RefreshToken>().Where(t => t.FamilyId == familyId && t.RevokedAt == null).ToListAsync(cancellationToken);
        Revoke(session, family, now);
    }

    public static async Task RevokeAllAsync(IDocumentSession session, Guid userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var tokens = await session.Query<RefreshToken>().Where(t => t.UserId == userId && t.RevokedAt == null).ToListAsync(cancellationToken);
        Revoke(session, tokens, now);
    }

    static void Revoke(IDocumentSession session, IEnumerable<RefreshToken> tokens, DateTimeOffset now)
    {
        foreach (var token in tokens)
        {
            token.RevokedAt = now;
            session.Update(token);
        }
    }
}
