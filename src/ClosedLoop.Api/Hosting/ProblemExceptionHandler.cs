using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;

namespace ClosedLoop.Api.Hosting;

/// <summary>
/// Every exception becomes a problem response. Bad requests (malformed JSON, wrong content type, body
/// too large) keep their status and say what was wrong; anything else is a 500 that shows a stack trace
/// only in Development.
/// </summary>
internal sealed partial class ProblemExceptionHandler(IProblemDetailsService problems, IHostEnvironment environment, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail) = exception switch
        {
            BadHttpRequestException bad => (bad.StatusCode, TitleFor(bad.StatusCode), Describe(bad)),
            OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested => (499, "Client closed request", "The request was cancelled by the client."),
            _ => (StatusCodes.Status500InternalServerError, "Internal server error", "Something went wrong on our side. Quote the traceId when reporting it."),
        };

        if (status >= 500)
        {
            logger.LogError(exception, "Unhandled exception on {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
        }

        httpContext.Response.StatusCode = status;
        if (exception is BadHttpRequestException { StatusCode: StatusCodes.Status400BadRequest } binding && (BodyFailure(binding) ?? BindingFailure(binding)) is { } field)
        {
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = httpContext,
                ProblemDetails = new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field.Name] = [field.Message] })
                {
                    Status = status,
                    Title = "Bad request",
                    Detail = field.Message,
                },
            });
        }

        var context = new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        };
        if (status >= 500 && environment.IsDevelopment())
        {
            context.ProblemDetails.Extensions["exception"] = exception.ToString();
        }

        return await problems.TryWriteAsync(context);
    }

    /// <remarks>The framework's messages name our parameter types; callers are told about fields and values only.</remarks>
    private static string Describe(BadHttpRequestException bad) => bad.StatusCode switch
    {
        StatusCodes.Status413PayloadTooLarge => "The request body is larger than this endpoint accepts.",
        StatusCodes.Status415UnsupportedMediaType => "Send the body as application/json.",
        StatusCodes.Status400BadRequest when bad.Message.Contains("was not provided from body", StringComparison.Ordinal) || bad.Message.Contains("body was empty", StringComparison.Ordinal)
            => "This endpoint needs a JSON body.",
        StatusCodes.Status400BadRequest when RequiredMessage().Match(bad.Message) is { Success: true } required
            => $"'{JsonNamingPolicy.CamelCase.ConvertName(required.Groups["name"].Value)}' is required.",
        StatusCodes.Status400BadRequest when bad.Message.StartsWith("Failed to read parameter", StringComparison.Ordinal)
            => "The body could not be read as this endpoint's JSON.",
        _ => TypeName().IsMatch(bad.Message) ? "The request could not be read." : bad.Message,
    };

    /// <summary>A JSON body that is JSON but not this endpoint's shape: which member, and what is wrong with it.</summary>
    private static (string Name, string Message)? BodyFailure(BadHttpRequestException exception)
    {
        if (exception.InnerException is not JsonException json)
        {
            return null;
        }

        var field = json.Path is { Length: > 1 } path ? path.TrimStart('$').TrimStart('.') : "body";
        var shown = field == "body" ? "The body" : $"'{field}'";
        var message = json.Message switch
        {
            var m when m.Contains("could not be mapped to any .NET member", StringComparison.Ordinal) => $"{shown} is not a member of this request; see the schema in the API document.",
            var m when m.StartsWith("Duplicate propert", StringComparison.Ordinal) => $"{shown} is given more than once; send it once.",
            var m when m.StartsWith("The JSON value could not be converted", StringComparison.Ordinal) => $"{shown} has a JSON value of the wrong type, format or range.",
            var m when m.Contains("missing required properties", StringComparison.Ordinal) => $"{shown} lacks required members.",
            var m => $"The body is not valid JSON: {m.Split(" LineNumber:", 2)[0].Trim().TrimEnd('|').Trim()}",
        };
        return (field, TypeName().IsMatch(message) ? $"{shown} could not be read." : message);
    }

    /// <summary>
    /// Turns 'Failed to bind parameter "Nullable&lt;int&gt; PageSize" from "x".' into a field error a
    /// caller understands.
    /// </summary>
    private static (string Name, string Message)? BindingFailure(BadHttpRequestException exception)
    {
        var match = BindingMessage().Match(exception.Message);
        if (!match.Success)
        {
            return null;
        }

        var type = match.Groups["type"].Value;
        var name = JsonNamingPolicy.CamelCase.ConvertName(match.Groups["name"].Value);
        var expected = type switch
        {
            _ when type.Contains("int", StringComparison.OrdinalIgnoreCase) || type.Contains("long", StringComparison.OrdinalIgnoreCase) => "a whole number",
            _ when type.Contains("DateTimeOffset", StringComparison.Ordinal) || type.Contains("DateTime", StringComparison.Ordinal) => "an ISO-8601 date-time such as 2026-11-20T10:00:00Z",
            _ when type.Contains("Guid", StringComparison.Ordinal) => "a GUID",
            _ when type.Contains("bool", StringComparison.OrdinalIgnoreCase) => "true or false",
            _ when type.Contains("decimal", StringComparison.OrdinalIgnoreCase) || type.Contains("double", StringComparison.OrdinalIgnoreCase) => "a number",
            _ => "a valid value",
        };
        return (name, $"'{name}' must be {expected}; '{match.Groups["value"].Value}' is not.");
    }

    [System.Text.RegularExpressions.GeneratedRegex("^Required parameter \"(?<type>.+) (?<name>[A-Za-z0-9_]+)\" was not provided", System.Text.RegularExpressions.RegexOptions.Singleline)]
    private static partial System.Text.RegularExpressions.Regex RequiredMessage();

    /// <summary>Anything that looks like one of our .NET type names (namespaces, generic arity, System types).</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"ClosedLoop\.|System\.|`\d|Nullable<|\bDictionary<|\bList<")]
    private static partial System.Text.RegularExpressions.Regex TypeName();

    [System.Text.RegularExpressions.GeneratedRegex("^Failed to bind parameter \"(?<type>.+) (?<name>[A-Za-z0-9_]+)\" from \"(?<value>.*)\"\\.$", System.Text.RegularExpressions.RegexOptions.Singleline)]
    private static partial System.Text.RegularExpressions.Regex BindingMessage();

    public static string TitleFor(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "Bad request",
        StatusCodes.Status404NotFound => "Not found",
        StatusCodes.Status405MethodNotAllowed => "Method not allowed",
        StatusCodes.Status408RequestTimeout => "Request timeout",
        StatusCodes.Status413PayloadTooLarge => "Payload too large",
        StatusCodes.Status415UnsupportedMediaType => "Unsupported media type",
        StatusCodes.Status431RequestHeaderFieldsTooLarge => "Request headers too large",
        _ => "Bad request",
    };
}
