using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;

namespace ClosedLoop.Api.Hosting;

/// <summary>Section <c>Api</c>.</summary>
internal sealed class ApiOptions
{
    public const string Section = "Api";

    /// <summary>Default body limit for any endpoint that does not declare its own (bytes).</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;
}

/// <summary>
/// Applies each endpoint's body limit (its <see cref="IRequestSizeLimitMetadata"/>, else the default)
/// before anything reads the body: a declared length over it is answered 413 at once; a chunked body
/// is cut off by the server when it passes the limit.
/// </summary>
internal sealed class RequestLimitsMiddleware(RequestDelegate next, Microsoft.Extensions.Options.IOptions<ApiOptions> options, IProblemDetailsService problems)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var limit = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>() is { } metadata
            ? metadata.MaxRequestBodySize
            : options.Value.MaxRequestBodyBytes;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit;
        }

        if (limit is { } max && context.Request.ContentLength > max)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails =
                {
                    Status = StatusCodes.Status413PayloadTooLarge,
                    Title = "Payload too large",
                    Detail = $"The request body is {context.Request.ContentLength} bytes; this endpoint accepts at most {max}.",
                },
            });
            return;
        }

        await next(context);
    }
}
