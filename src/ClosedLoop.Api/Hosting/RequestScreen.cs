using ClosedLoop.Web;
using Microsoft.Net.Http.Headers;

namespace ClosedLoop.Api.Hosting;

/// <summary>
/// Applies <see cref="TextRules"/> to everything a caller sends as text, before any endpoint binds it: the path,
/// every query parameter, and every JSON body (through <see cref="JsonTextScreen"/>, which also refuses members given
/// twice). Runs after authorization, so only callers allowed to call an endpoint get its body read; bodies keep the
/// endpoint's size limit. Other content (CSV and JSON-lines uploads) is screened row by row by the importer.
/// </summary>
internal sealed class RequestScreenMiddleware(RequestDelegate next, IProblemDetailsService problems)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.Path.HasValue && TextRules.Problem(request.Path.Value) is { } pathProblem)
        {
            await WriteAsync(context, StatusCodes.Status400BadRequest, "Bad request", "path", $"The path {pathProblem}");
            return;
        }

        foreach (var (name, values) in request.Query)
        {
            var (field, problem) = TextRules.Problem(name) is { } badName
                ? ("query", $"A query parameter's name {badName}")
                : (name, values.Select(v => v is null ? null : TextRules.Problem(v)).FirstOrDefault(p => p is not null) is { } badValue ? $"'{name}' {badValue}" : null);
            if (problem is not null)
            {
                await WriteAsync(context, StatusCodes.Status422UnprocessableEntity, "Validation failed", field, problem);
                return;
            }
        }

        if (context.GetEndpoint() is not null && request.HasJsonContentType() && request.ContentLength != 0 && !HttpMethods.IsGet(request.Method))
        {
            if (MediaTypeHeaderValue.TryParse(request.ContentType, out var media) && media.Charset is { Length: > 0 } charset
                && !charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) && !charset.Equals("utf8", StringComparison.OrdinalIgnoreCase))
            {
                // JSON between systems is UTF-8 (RFC 8259 §8.1); the screen and the binder read it as such.
                await WriteAsync(context, StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "Content-Type", $"Send JSON as UTF-8 (charset=utf-8 or none), not charset={charset}.");
                return;
            }

            var body = await ReadAsync(request, context.RequestAborted);
            var json = body.GetBuffer().AsSpan(0, (int)body.Length);

            // An empty body is the endpoint's to answer (its binding or its own check says what it needs).
            if (!json.Trim(" \t\r\n"u8).IsEmpty && JsonTextScreen.Find(json) is { } flaw)
            {
                var (status, title) = flaw.Malformed ? (StatusCodes.Status400BadRequest, "Bad request") : (StatusCodes.Status422UnprocessableEntity, "Validation failed");
                await WriteAsync(context, status, title, flaw.Field.Length == 0 ? "body" : flaw.Field, flaw.Message);
                return;
            }

            request.Body = body;
        }

        await next(context);
    }

    /// <summary>The whole body in memory (bounded by the endpoint's limit, which the server enforces while reading).</summary>
    private static async Task<MemoryStream> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream(request.ContentLength is { } length and <= int.MaxValue ? (int)length : 16 * 1024);
        await request.Body.CopyToAsync(buffer, cancellationToken);
        buffer.Position = 0;
        return buffer;
    }

    private async Task WriteAsync(HttpContext context, int status, string title, string field, string message)
    {
        context.Response.StatusCode = status;
        await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
            {
                Status = status,
                Title = title,
                Detail = message,
                Type = status == StatusCodes.Status422UnprocessableEntity ? "https://tools.ietf.org/html/rfc4918#section-11.2" : null,
            },
        });
    }
}
