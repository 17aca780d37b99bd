using System.ComponentModel.DataAnnotations;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Shop.BuildingBlocks.Http;
using Shop.Gateway.Identity.Registering;

namespace Shop.Gateway.Identity.FindingUsers;

/// <summary>An admin looks an account up by email (to promote it, for instance).</summary>
public static class FindUserEndpoint
{
    public static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> Handle([Required, StringLength(254)] string email, IQuerySession session,
        CancellationToken cancellationToken)
    {
        var normalized = User.Normalize(email);
        var user = await session.Query<User>().FirstOrDefaultAsync(u => u.NormalizedEmail == normalized, cancellationToken);
        return user is null ? Problems.NotFound("The user") : TypedResults.Ok(UserResponse.From(user));
    }
}
