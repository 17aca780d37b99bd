using System.ComponentModel.DataAnnotations;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Shop.BuildingBlocks.Http;
using Shop.BuildingBlocks.Security;
using Shop.Gateway.Identity.Lockout;
using Shop.Gateway.Perimeter;

namespace Shop.Gateway.Identity.Registering;

public record RegisterRequest(
    [Required, EmailAddress, StringLength(254)] string Email,
    [Required, StringLength(128)] string Password,
    [Required, StringLength(100, MinimumLength = 1)] string Name);

public record UserResponse(Guid Id, string Email, string Name, IReadOnlyList<string> Roles);

public static class RegisterEndpoint
{
    public const int MinPasswordLength = 10;

    public static async Task<Results<Created<UserResponse>, ValidationProblem, ProblemHttpResult>> Handle(
        RegisterRequest request, HttpContext http, IDocumentSession session, IPasswordHasher<User> hasher, AttemptLimiter attempts,
        CancellationToken cancellationToken)
    {
        if (PasswordProblem(request.Password, request.Email) is { } problem)
            return Problems.Validation("password", problem);
        // Per email: probing whether an address has an account (409) is limited like guessing its password.
        if (await attempts.TryCountAsync([attempts.Settings.Registration(User.Normalize(request.Email))], cancellationToken) is { } lockedFor)
            return TooManyRequests.Problem(http, lockedFor, "Too many registration attempts for this email.");

        var user = await Accounts.Create(session, hasher, request.Email, request.Name, request.Password, [ShopRoles.Customer], cancellationToken);
        if (user is null)
            return Problems.Conflict("An account with this email already exists.");
        return TypedResults.Created($"/api/auth/me", new UserResponse(user.Id, user.Email, user.Name, user.Roles));
    }

    public static string? PasswordProblem(string password, string email) =>
        password.Length < MinPasswordLength ? $"The password needs at least {MinPasswordLength} characters."
        : string.Equals(password.Trim(), email.Trim(), StringComparison.OrdinalIgnoreCase) ? "The password must not be your email address."
        : null;
}

public static class Accounts
{
    /// <summary>Creates an account, or returns null when the email is taken (the unique index also catches a concurrent twin).</summary>
    public static async Task<User?> Create(IDocumentSession session, IPasswordHasher<User> hasher, string email, string name, string password,
        List<string> roles, CancellationToken cancellationToken)
    {
        var normalized = User.Normalize(email);
        if (await session.Query<User>().AnyAsync(u => u.NormalizedEmail == normalized, cancellationToken))
            return null;

        var user = new User
        {
            Id = Guid.CreateVersion7(), Email = email.Trim(), NormalizedEmail = normalized, Name = name.Trim(), Roles = roles,
            CreatedAt = DateTimeOffset.UtcNow,
        };
        user.PasswordHash = hasher.HashPassword(user, password);
        session.Insert(user);
        try
        {
            await session.SaveChangesAsync(cancellationToken);
        }
        catch (JasperFx.DocumentAlreadyExistsException)
        {
            return null;
        }
        catch (Marten.Exceptions.MartenCommandException e) when (e.InnerException is Npgsql.PostgresException { SqlState: "23505" })
        {
            return null;
        }
        return user;
    }
}
