using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Shop.BuildingBlocks.Http;
using Shop.BuildingBlocks.Security;
using Shop.Gateway.Identity.Registering;

namespace Shop.Gateway.Identity.Promoting;

/// <summary>
/// An admin makes another account an admin. The role reaches the user's access tokens at their next refresh or login
/// (access tokens are short-lived and never re-read).
/// </summary>
public static class PromoteUserEndpoint
{
    public static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> Handle(Guid id, ClaimsPrincipal admin, IDocumentSession session,
        ILogger<User> logger, CancellationToken cancellationToken)
    {
        var user = await session.LoadAsync<User>(id, cancellationToken);
        if (user is null)
            return Problems.NotFound("The user");
        // Anyone can register any address: an account whose owner never proved it is nobody to make admin.
        if (!user.IsVerified)
            return Problems.Conflict("The account's email address is not verified: it cannot be made admin until its owner confirms it (or an admin verifies it).");

        if (!user.Roles.Contains(ShopRoles.Admin))
        {
            user.Roles.Add(ShopRoles.Admin);
            // Optimistic concurrency: a concurrent change of the account answers 409 instead of being overwritten.
            session.Update(user);
            await session.SaveChangesAsync(cancellationToken);
            logger.LogInformation("Admin {AdminId} promoted user {UserId} to admin", admin.GetUserId(), user.Id);
        }
        return TypedResults.Ok(UserResponse.From(user));
    }
}
