using ClosedLoop.SharedKernel;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ClosedLoop.Web;

/// <summary>Turns use-case errors into RFC 7807 responses, one status per <see cref="ErrorKind"/>.</summary>
public static class Problems
{
    public static ProblemHttpResult From(Error error) => TypedResults.Problem(
        statusCode: StatusOf(error.Kind),
        title: TitleOf(error.Kind),
        detail: error.Message,
        type: $"https://closedloop.dev/problems/{error.Code}",
        extensions: error.Fields.Count == 0
            ? new Dictionary<string, object?> { ["code"] = error.Code }
            : new Dictionary<string, object?> { ["code"] = error.Code, ["errors"] = error.Fields });

    /// <summary>422 with field errors: the request was well-formed but its values are not acceptable.</summary>
    public static ProblemHttpResult Validation(IDictionary<string, string[]> errors) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status422UnprocessableEntity,
            Title = "Validation failed",
            Detail = "One or more fields are invalid; see 'errors'.",
            Type = "https://tools.ietf.org/html/rfc4918#section-11.2",
        });

    public static ProblemHttpResult NotFound(string what, object id) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Not found",
        detail: $"No {what} with id '{id}'.");

    public static int StatusOf(ErrorKind kind) => kind switch
    {
        ErrorKind.Validation => StatusCodes.Status422UnprocessableEntity,
        ErrorKind.NotFound => StatusCodes.Status404NotFound,
        ErrorKind.Conflict => StatusCodes.Status409Conflict,
        ErrorKind.PreconditionFailed => StatusCodes.Status412PreconditionFailed,
        ErrorKind.Forbidden => StatusCodes.Status403Forbidden,
        _ => StatusCodes.Status500InternalServerError,
    };

    private static string TitleOf(ErrorKind kind) => kind switch
    {
        ErrorKind.Validation => "Validation failed",
        ErrorKind.NotFound => "Not found",
        ErrorKind.Conflict => "Conflict",
        ErrorKind.PreconditionFailed => "Precondition failed",
        ErrorKind.Forbidden => "Forbidden",
        _ => "Error",
    };
}
