using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Shop.BuildingBlocks.Http;

/// <summary>The ProblemDetails responses handlers return for the client's mistakes.</summary>
public static class Problems
{
    public static ProblemHttpResult NotFound(string what) =>
        TypedResults.Problem(title: $"{what} was not found.", statusCode: StatusCodes.Status404NotFound);

    public static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(title: "The request conflicts with the current state.", detail: detail, statusCode: StatusCodes.Status409Conflict);

    public static ProblemHttpResult Unprocessable(string detail) =>
        TypedResults.Problem(title: "The request cannot be processed.", detail: detail, statusCode: StatusCodes.Status422UnprocessableEntity);

    public static ProblemHttpResult PreconditionFailed(string detail) =>
        TypedResults.Problem(title: "The resource has changed.", detail: detail, statusCode: StatusCodes.Status412PreconditionFailed);

    public static ValidationProblem Validation(string field, string error) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [error] });

    public static ValidationProblem Validation(IDictionary<string, string[]> errors) => TypedResults.ValidationProblem(errors);
}
