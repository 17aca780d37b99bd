using System.ComponentModel.DataAnnotations;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Shop.BuildingBlocks.Http;
using Shop.BuildingBlocks.Security;
using Shop.Gateway.Identity.Emails;
using Shop.Gateway.Identity.Lockout;
using Shop.Gateway.Identity.Mail;
using Shop.Gateway.Identity.Passwords;
using Shop.Gateway.Identity.Verifying;
using Shop.Gateway.Perimeter;

namespace Shop.Gateway.Identity.Registering;

public record RegisterRequest(
    [Required, StringLength(EmailAddress.MaxLength)] string Email,
    [Required, StringLength(PasswordPolicy.MaxLength)] string Password,
    [Required, StringLength(100, MinimumLength = 1)] string Name);

public record UserResponse(Guid Id, string Email, string Name, IReadOnlyList<string> Roles, bool EmailVerified)
{
    public static UserResponse From(User user) => new(user.Id, user.Email, user.Name, user.Roles, user.IsVerified);
}

/// <summary>The one answer registration gives, whether the address was new, already had an account, or had one waiting for verification.</summary>
public record RegistrationAccepted(string Message);

public static class RegisterEndpoint
{
    public const string AcceptedMessage =
        "Check your inbox: we sent an email to this address. Open its link to confirm the address, then sign in.";

    /// <summary>
    /// POST /api/auth/register: always 202 with the same body once the input is valid, so the answer never tells whether
    /// an address has an account; the email does. A new address gets an unverified account and a verification link; an
    /// address waiting for verification gets a new link that carries this registration's password; a verified account
    /// gets a "you already have an account" email and nothing changes.
    /// </summary>
    public static async Task<Results<Accepted<RegistrationAccepted>, ValidationProblem, ProblemHttpResult>> Handle(
        RegisterRequest request, HttpContext http, IDocumentSession session, IPasswordHasher<User> hasher, AttemptLimiter attempts,
        IdentityMailSignal mail, IConfiguration configuration, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (!EmailAddress.TryParse(request.Email, out var email, out var emailProblem))
            errors["email"] = [emailProblem];
        var name = request.Name.Trim();
        if (name.Length == 0 || name.Any(char.IsControl))
            errors["name"] = ["The name is one line of visible text."];
        if (PasswordPolicy.Problem(request.Password, email?.Display ?? request.Email, name) is { } passwordProblem)
            errors["password"] = [passwordProblem];
        if (errors.Count > 0)
            return Problems.Validation(errors);
        // Per email: registering is how an address gets mail from Shop; it is limited like guessing a password.
        if (await attempts.TryCountAsync([attempts.Settings.Registration(email!.Normalized)], cancellationToken) is { } lockedFor)
            return TooManyRequests.Problem(http, lockedFor, "Too many registration attempts for this email.");

        var now = clock.GetUtcNow();
        var publicUrl = OpenApiServers.PublicUrl(configuration);
        var existing = await session.Query<User>().FirstOrDefaultAsync(u => u.NormalizedEmail == email.Normalized, cancellationToken);
        // Hashed on every path, so that the answer takes as long whether or not the address has an account.
        var passwordHash = hasher.HashPassword(existing ?? new User(), request.Password);
        if (existing is { IsVerified: true })
            session.Insert(IdentityEmails.AlreadyRegistered(existing, publicUrl, now));
        else
        {
            var user = existing ?? new User
            {
                Id = Guid.CreateVersion7(), Email = email.Display, NormalizedEmail = email.Normalized, Name = name, Roles = [ShopRoles.Customer],
                CreatedAt = now, PasswordHash = passwordHash,
            };
            if (existing is null)
                session.Insert(user);
            var token = EmailVerification.Create(session, user, passwordHash, name, now);
            session.Insert(IdentityEmails.Verify(user.Email, name, token, publicUrl, EmailVerification.Lifetime, now));
        }
        try
        {
            await session.SaveChangesAsync(cancellationToken);
        }
        catch (Exception exception) when (Accounts.IsDuplicate(exception))
        {
            // A concurrent registration of the same new address won; its email is on the way. Same answer.
            return Accepted();
        }
        mail.Notify();
        return Accepted();
    }

    public static Accepted<RegistrationAccepted> Accepted() => TypedResults.Accepted("/api/auth/me", new RegistrationAccepted(AcceptedMessage));
}

public static class Accounts
{
    /// <summary>Creates a verified account (the bootstrapped admin), or returns null when the email is taken.</summary>
    public static async Task<User?> CreateVerified(IDocumentSession session, IPasswordHasher<User> hasher, EmailAddress email, string name, string password,
        List<string> roles, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (await session.Query<User>().AnyAsync(u => u.NormalizedEmail == email.Normalized, cancellationToken))
            return null;
        var user = new User
        {
            Id = Guid.CreateVersion7(), Email = email.Display, NormalizedEmail = email.Normalized, Name = name.Trim(), Roles = roles,
            CreatedAt = now, EmailVerifiedAt = now,
        };
        user.PasswordHash = hasher.HashPassword(user, password);
        session.Insert(user);
        try
        {
            await session.SaveChangesAsync(cancellationToken);
        }
        catch (Exception exception) when (IsDuplicate(exception))
        {
            return null;
        }
        return user;
    }

    public static bool IsDuplicate(Exception exception) =>
        exception is JasperFx.DocumentAlreadyExistsException
            or Marten.Exceptions.MartenCommandException { InnerException: Npgsql.PostgresException { SqlState: "23505" } };
}
