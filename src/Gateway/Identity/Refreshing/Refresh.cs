using System.ComponentModel.DataAnnotations;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
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
            await RevokeFamily(session, token.FamilyId, now, cancellationToken);
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

    public static async Task<NoContent> Logout(RefreshRequest request, IDocumentSession session, TimeProvider clock, CancellationToken cancellationToken)
    {
        var token = await session.LoadAsync<RefreshToken>(RefreshToken.HashOf(request.RefreshToken), cancellationToken);
        if (token is not null)
        {
            await RevokeFamily(session, token.FamilyId, clock.GetUtcNow(), cancellationToken);
            await session.SaveChangesAsync(cancellationToken);
        }
        return TypedResults.NoContent();
    }

    static async Task RevokeFamily(IDocumentSession session, Guid familyId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var family = await session.Query<RefreshToken>().Where(t => t.FamilyId == familyId && t.RevokedAt == null).ToListAsync(cancellationToken);
        foreach (var member in family)
        {
            member.RevokedAt = now;
            session.Update(member);
        }
    }

    static ProblemHttpResult Rejected() =>
        TypedResults.Problem(title: "The refresh token is invalid, expired or revoked.", statusCode: StatusCodes.Status401Unauthorized);
}
