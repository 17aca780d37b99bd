using System.ComponentModel.DataAnnotations;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Shop.Gateway.Identity.Tokens;

namespace Shop.Gateway.Identity.LoggingIn;

public record LoginRequest([Required, StringLength(254)] string Email, [Required, StringLength(128)] string Password);

public static class LoginEndpoint
{
    public static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> Handle(
        LoginRequest request, IDocumentSession session, IPasswordHasher<User> hasher, TokenIssuer tokens, CancellationToken cancellationToken)
    {
        var normalized = User.Normalize(request.Email);
        var user = await session.Query<User>().FirstOrDefaultAsync(u => u.NormalizedEmail == normalized, cancellationToken);
        // Same answer for an unknown email and a wrong password: no account enumeration.
        var verdict = user is null ? PasswordVerificationResult.Failed : hasher.VerifyHashedPassword(user, user.PasswordHash, request.Password);
        if (user is null || verdict == PasswordVerificationResult.Failed)
            return InvalidCredentials();

        if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
        {
            user.PasswordHash = hasher.HashPassword(user, request.Password);
            session.Update(user);
        }
        var response = tokens.Issue(user, session);
        await session.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(response);
    }

    public static ProblemHttpResult InvalidCredentials() =>
        TypedResults.Problem(title: "The email or password is incorrect.", statusCode: StatusCodes.Status401Unauthorized);
}
