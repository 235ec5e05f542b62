using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;

namespace ClosedLoop.Api.Security;

/// <summary>401 and 403 as problem responses that say what to send, or which roles may call.</summary>
/// <remarks>
/// A 401 never says why a credential failed (a token validator's message names the expected issuer, audience or signing
/// key): the reason is logged here, and the caller gets one generic detail in every environment.
/// </remarks>
internal sealed partial class ProblemAuthorizationResultHandler(IProblemDetailsService problems, ILogger<ProblemAuthorizationResultHandler> logger) : IAuthorizationMiddlewareResultHandler
{
    public const string Unauthenticated = "Send a valid API key in the X-Api-Key header (or a bearer token where JWT is configured); "
        + "none was sent, or the one sent is not valid, has expired or has been revoked.";

    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Challenged)
        {
            // The authentication middleware keeps only successful results; ask again (handlers cache per request).
            if ((await context.AuthenticateAsync()).Failure is { } failure)
            {
                LogRejected(failure.GetType().Name, failure.Message, context.Request.Method, context.Request.Path);
            }

            await context.ChallengeAsync();
            await WriteAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized", Unauthenticated);
            return;
        }

        if (authorizeResult.Forbidden)
        {
            await context.ForbidAsync();
            var allowed = policy.Requirements.OfType<RolesAuthorizationRequirement>().SelectMany(r => r.AllowedRoles).Distinct().ToList();
            var role = context.User.FindFirst(System.Security.Claims.ClaimTypes.Role)?.Value ?? "none";
            await WriteAsync(context, StatusCodes.Status403Forbidden, "Forbidden", allowed.Count == 0
                ? "You may not call this."
                : $"Your role ({role}) may not call this; allowed roles: {string.Join(", ", allowed)}.");
            return;
        }

        await _default.HandleAsync(next, context, policy, authorizeResult);
    }

    private async Task WriteAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Credential rejected on {Method} {Path}: {Kind}: {Reason}")]
    private partial void LogRejected(string kind, string reason, string method, string path);
}
