using System.ComponentModel.DataAnnotations;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Shop.Gateway.Identity.Lockout;
using Shop.Gateway.Identity.Passwords;
using Shop.Gateway.Identity.Tokens;
using Shop.Gateway.Perimeter;

namespace Shop.Gateway.Identity.LoggingIn;

public record LoginRequest([Required, StringLength(254)] string Email, [Required, StringLength(PasswordPolicy.MaxLength)] string Password);

public static class LoginEndpoint
{
    // Verified when the email is unknown, so that an unknown email takes as long to refuse as a wrong password.
    static readonly string UnknownUserHash = new PasswordHasher<User>().HashPassword(new User(), Guid.NewGuid().ToString());

    public static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> Handle(LoginRequest request, HttpContext http, IDocumentSession session,
        IPasswordHasher<User> hasher, TokenIssuer tokens, AttemptLimiter attempts, CancellationToken cancellationToken)
    {
        var normalized = User.Normalize(request.Email);
        var account = attempts.Settings.Account(normalized);
        var address = attempts.Settings.Address(ClientAddresses.Of(http));
        // Counted for unknown emails too: a lockout must not tell which accounts exist.
        if (await attempts.TryCountAsync([account, address], cancellationToken) is { } lockedFor)
            return TooManyRequests.Problem(http, lockedFor, "Too many failed sign-in attempts.");

        var user = await session.Query<User>().FirstOrDefaultAsync(u => u.NormalizedEmail == normalized, cancellationToken);
        // Same answer for an unknown email, a wrong password and an address not verified yet: no account enumeration
        // (registering an address and then signing in with the chosen password must not tell whether it was new).
        var verdict = hasher.VerifyHashedPassword(user ?? new User(), user?.PasswordHash ?? UnknownUserHash, request.Password);
        if (user is null || verdict == PasswordVerificationResult.Failed || !user.IsVerified)
            return InvalidCredentials();

        if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
        {
            user.PasswordHash = hasher.HashPassword(user, request.Password);
            session.Update(user);
        }
        var response = tokens.Issue(user, session);
        await session.SaveChangesAsync(cancellationToken);
        await attempts.ForgiveAsync(account, address, cancellationToken);
        return TypedResults.Ok(response);
    }

    public static ProblemHttpResult InvalidCredentials() =>
        TypedResults.Problem(title: "The email or password is incorrect.",
            detail: "The email or password is incorrect, or the address is not confirmed yet: if you registered recently, open the link in the email we sent you first.",
            statusCode: StatusCodes.Status401Unauthorized);
}
