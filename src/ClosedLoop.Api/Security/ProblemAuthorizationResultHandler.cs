using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;

namespace ClosedLoop.Api.Security;

/// <summary>401 and 403 as problem responses that say what to send, or which roles may call.</summary>
internal sealed class ProblemAuthorizationResultHandler(IProblemDetailsService problems) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Challenged)
        {
            // The authentication middleware keeps only successful results; ask again (handlers cache per request).
            var failure = (await context.AuthenticateAsync()).Failure;
            await context.ChallengeAsync();
            await WriteAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized", failure?.Message
                ?? $"Send an API key in the {ApiKeyAuthenticationHandler.HeaderName} header (or a bearer token where JWT is configured).");
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
}
