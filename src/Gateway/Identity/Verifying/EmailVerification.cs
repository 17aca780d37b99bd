using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Shop.BuildingBlocks.Http;
using Shop.BuildingBlocks.Security;
using Shop.Gateway.Identity.Refreshing;
using Shop.Gateway.Identity.Registering;
using Shop.Gateway.Identity.Tokens;

namespace Shop.Gateway.Identity.Verifying;

/// <summary>
/// A pending proof of an address: the SHA-256 of the token mailed to it (the token itself is only in the email), the
/// account, and the password hash and name of the registration that asked for it. Opening the link verifies the account
/// with that password and name: whoever reads the mailbox decides them, so someone who registered an address that is not
/// theirs first gets nothing out of it.
/// </summary>
public class EmailVerification
{
    public string Id { get; set; } = "";
    public Guid UserId { get; set; }
    public string PasswordHash { get; set; } = "";
    public string Name { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }

    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    /// <summary>A new verification (stored in the session) and the token for its link.</summary>
    public static string Create(IDocumentSession session, User user, string passwordHash, string name, DateTimeOffset now)
    {
        var token = RefreshToken.NewValue();
        session.Insert(new EmailVerification
        {
            Id = RefreshToken.HashOf(token), UserId = user.Id, PasswordHash = passwordHash, Name = name, CreatedAt = now, ExpiresAt = now + Lifetime,
        });
        return token;
    }
}

public record VerifyEmailRequest([Required, StringLength(200)] string Token);

public record VerificationResponse(string Email, bool Verified);

public static class VerifyEmailEndpoint
{
    /// <summary>
    /// POST /api/auth/verify-email {token}: the link's token verifies the account and sets the password of the registration
    /// that sent it; every session of the account made with another password ends. A token works once.
    /// </summary>
    public static async Task<Results<Ok<VerificationResponse>, ProblemHttpResult>> Handle(VerifyEmailRequest request, IDocumentSession session,
        TimeProvider clock, ILogger<EmailVerification> logger, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var verification = await session.LoadAsync<EmailVerification>(RefreshToken.HashOf(request.Token.Trim()), cancellationToken);
        var user = verification is null || verification.ExpiresAt <= now ? null : await session.LoadAsync<User>(verification.UserId, cancellationToken);
        if (verification is null || user is null)
            return TypedResults.Problem(title: "The verification link is invalid, expired or already used.",
                detail: "This link is invalid, expired or already used: register again with the same email to get a new one.",
                statusCode: StatusCodes.Status400BadRequest);

        var passwordChanged = user.PasswordHash != verification.PasswordHash;
        user.PasswordHash = verification.PasswordHash;
        user.Name = verification.Name.Length > 0 ? verification.Name : user.Name;
        user.EmailVerifiedAt ??= now;
        session.Update(user);
        // Every pending link of the account is spent: the address is proven, and the other links carry other passwords.
        session.DeleteWhere<EmailVerification>(v => v.UserId == user.Id);
        if (passwordChanged)
            await Sessions.RevokeAllAsync(session, user.Id, now, cancellationToken);
        await session.SaveChangesAsync(cancellationToken);
        logger.LogInformation("User {UserId} verified their email address", user.Id);
        return TypedResults.Ok(new VerificationResponse(user.Email, true));
    }
}

public static class AdminVerifyEndpoint
{
    /// <summary>POST /api/users/{id}/verify (admin): support vouches for the address (the account keeps its password).</summary>
    public static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> Handle(Guid id, ClaimsPrincipal admin, IDocumentSession session,
        TimeProvider clock, ILogger<EmailVerification> logger, CancellationToken cancellationToken)
    {
        var user = await session.LoadAsync<User>(id, cancellationToken);
        if (user is null)
            return Problems.NotFound("The user");
        if (!user.IsVerified)
        {
            user.EmailVerifiedAt = clock.GetUtcNow();
            session.Update(user);
            session.DeleteWhere<EmailVerification>(v => v.UserId == user.Id);
            await session.SaveChangesAsync(cancellationToken);
            logger.LogInformation("Admin {AdminId} verified the email address of user {UserId}", admin.GetUserId(), user.Id);
        }
        return TypedResults.Ok(UserResponse.From(user));
    }
}
