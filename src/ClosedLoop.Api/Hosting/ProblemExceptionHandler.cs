using Microsoft.AspNetCore.Diagnostics;

namespace ClosedLoop.Api.Hosting;

/// <summary>
/// Every exception becomes a problem response. Bad requests (malformed JSON, wrong content type, body
/// too large) keep their status and say what was wrong; anything else is a 500 that shows a stack trace
/// only in Development.
/// </summary>
internal sealed class ProblemExceptionHandler(IProblemDetailsService problems, IHostEnvironment environment, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
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

    private static string Describe(BadHttpRequestException bad)
    {
        var inner = bad.InnerException is System.Text.Json.JsonException json ? " " + json.Message : "";
        return bad.StatusCode switch
        {
            StatusCodes.Status413PayloadTooLarge => "The request body is larger than this endpoint accepts.",
            StatusCodes.Status415UnsupportedMediaType => "Send the body as application/json. " + bad.Message,
            _ => bad.Message + inner,
        };
    }

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
