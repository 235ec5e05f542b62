using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ClosedLoop.Web;

/// <summary>One admin change: who did what to which thing, and how it ended.</summary>
public sealed record AuditRecord(
    string Action,
    string? Target,
    string ActorId,
    string ActorName,
    string? ActorRole,
    string Method,
    string Path,
    int Status,
    string? TraceId,
    string? Details = null);

/// <summary>The audit trail. Modules record admin changes here; <see cref="AuditExtensions.Audited"/> does it for an endpoint.</summary>
public interface IAuditLog
{
    Task RecordAsync(AuditRecord record, CancellationToken cancellationToken = default);
}

/// <summary>Marks an endpoint as an admin change: every successful call is written to the audit log.</summary>
public sealed record AuditedMetadata(string Action);

public static class AuditExtensions
{
    /// <summary>The route values that name what an admin change is about, in the order they are looked for.</summary>
    private static readonly string[] TargetKeys = ["id", "name", "key", "definitionId"];

    /// <summary>
    /// Records a successful call as <paramref name="action"/> (e.g. <c>api-key.created</c>), with the
    /// route's <c>id</c>/<c>name</c>/<c>key</c> as target.
    /// </summary>
    public static RouteHandlerBuilder Audited(this RouteHandlerBuilder builder, string action) => builder
        .WithMetadata(new AuditedMetadata(action))
        .AddEndpointFilter(async (context, next) =>
        {
            var result = await next(context);
            var http = context.HttpContext;
            var inner = result is INestedHttpResult nested ? nested.Result : result;
            var status = inner is IStatusCodeHttpResult { StatusCode: { } code } ? code : http.Response.StatusCode;
            var value = (inner as IValueHttpResult)?.Value;
            if (status < 400 && (value as IAuditDetails)?.AuditChanged != false)
            {
                var values = http.Request.RouteValues;
                var target = TargetKeys.Select(k => values.TryGetValue(k, out var v) ? v?.ToString() : null).FirstOrDefault(v => v is not null);
                if (value is IAuditTarget produced)
                {
                    target = produced.AuditTarget;
                }

                var audit = http.RequestServices.GetRequiredService<IAuditLog>();
                await audit.RecordAsync(ForRequest(http, action, target, status, (value as IAuditDetails)?.AuditDetails), http.RequestAborted);
            }

            return result;
        });

    public static AuditRecord ForRequest(HttpContext http, string action, string? target, int status, string? details = null)
    {
        var user = http.User;
        var actorId = Callers.IdOf(user, "anonymous");
        var actorName = user.Identity?.Name ?? actorId;
        return new AuditRecord(
            action,
            target,
            actorId,
            actorName,
            user.Identities.Select(i => i.FindFirst(i.RoleClaimType)?.Value).FirstOrDefault(r => r is not null),
            http.Request.Method,
            http.Request.Path.Value ?? "",
            status,
            System.Diagnostics.Activity.Current?.TraceId.ToString() ?? http.TraceIdentifier,
            details);
    }
}

/// <summary>A response body that names what an audited call created (its id is not in the route yet).</summary>
public interface IAuditTarget
{
    string AuditTarget { get; }
}

/// <summary>
/// A response body that tells the audit what the call did: details worth keeping (e.g. the version it created),
/// or that it changed nothing (an idempotent repeat), in which case nothing is recorded. Implement it
/// explicitly so it stays out of the JSON.
/// </summary>
public interface IAuditDetails
{
    /// <summary>Recorded as the entry's details; null for none.</summary>
    string? AuditDetails { get; }

    /// <summary>False when the call changed nothing: no entry is written.</summary>
    bool AuditChanged => true;
}
