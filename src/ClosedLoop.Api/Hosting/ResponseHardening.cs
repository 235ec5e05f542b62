using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace ClosedLoop.Api.Hosting;

/// <summary>
/// Headers every answer carries, and the request-line and header limits answered as problems. Kestrel writes its
/// own 414 and 431 with an empty body, so its limits sit at twice ours and this middleware answers first, with a
/// problem, for anything between. Only a request past Kestrel's own limits, or one that is not HTTP at all, still
/// gets Kestrel's bare answer.
/// </summary>
internal sealed class ResponseHardeningMiddleware(RequestDelegate next, IProblemDetailsService problems)
{
    /// <summary>Path and query, in characters.</summary>
    public const int MaxRequestTarget = 8 * 1024;

    /// <summary>All header names and values, in characters.</summary>
    public const int MaxHeaderBytes = 32 * 1024;

    public static void ConfigureKestrel(KestrelServerOptions kestrel)
    {
        kestrel.AddServerHeader = false;
        kestrel.Limits.MaxRequestLineSize = 2 * MaxRequestTarget;
        kestrel.Limits.MaxRequestHeadersTotalSize = 2 * MaxHeaderBytes;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var headers = context.Response.Headers;
        var isApi = context.Request.Path.StartsWithSegments("/api");
        context.Response.OnStarting(() =>
        {
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            if (isApi || context.Response.StatusCode >= 400)
            {
                // API answers carry keys, customers' words and personal data: never stored by a cache or framed.
                headers.CacheControl = "no-store";
                headers.XFrameOptions = "DENY";
                headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";
            }

            return Task.CompletedTask;
        });

        var target = context.Request.Path.Value?.Length + context.Request.QueryString.Value?.Length ?? 0;
        if (target > MaxRequestTarget)
        {
            await WriteAsync(context, StatusCodes.Status414RequestUriTooLong, "URI too long", $"The path and query are {target:N0} characters; at most {MaxRequestTarget:N0} are accepted. Send large inputs in a body.");
            return;
        }

        var headerSize = 0;
        foreach (var (name, values) in context.Request.Headers)
        {
            headerSize += name.Length;
            foreach (var value in values)
            {
                headerSize += value?.Length ?? 0;
            }
        }

        if (headerSize > MaxHeaderBytes)
        {
            await WriteAsync(context, StatusCodes.Status431RequestHeaderFieldsTooLarge, "Request headers too large", $"The headers are {headerSize:N0} characters; at most {MaxHeaderBytes:N0} are accepted.");
            return;
        }

        await next(context);
    }

    private async Task WriteAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = { Status = status, Title = title, Detail = detail } });
    }
}
