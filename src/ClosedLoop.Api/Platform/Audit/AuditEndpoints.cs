using ClosedLoop.Api.Platform.Data;
using ClosedLoop.SharedKernel;
using ClosedLoop.Web;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Api.Platform.Audit;

/// <summary>One audit entry: who changed what, when, and how the call ended.</summary>
public sealed record AuditEntryResponse(
    Guid Id,
    DateTimeOffset At,
    string Action,
    string? Target,
    string ActorId,
    string ActorName,
    string? ActorRole,
    string Method,
    string Path,
    int Status,
    string? TraceId,
    string? Details);

internal static class AuditEndpoints
{
    public static RouteGroupBuilder MapAuditEndpoints(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/audit").WithTags("Audit").RequireAuthorization(Policies.Admin);
        group.MapGet("/", List).WithName("ListAuditEntries").ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        return group;
    }

    /// <summary>The audit trail of admin changes, newest first.</summary>
    /// <param name="query">Paging.</param>
    /// <param name="actor">Only entries by this actor id (an API key id, or a token subject).</param>
    /// <param name="action">Only this action, e.g. <c>api-key.created</c>.</param>
    /// <param name="from">Only entries at or after this time (UTC).</param>
    /// <param name="to">Only entries before this time (UTC).</param>
    /// <param name="db">The platform database.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<Results<Ok<PagedList<AuditEntryResponse>>, ProblemHttpResult>> List(
        [AsParameters] PageQuery query,
        string? actor,
        string? action,
        DateTimeOffset? from,
        DateTimeOffset? to,
        PlatformDbContext db,
        CancellationToken cancellationToken)
    {
        var errors = new FieldErrors().When(from > to, "from", "from must not be after to.");
        var page = query.Validate(errors);
        if (!errors.IsEmpty)
        {
            return Problems.Validation(errors.ToDictionary());
        }

        var entries = db.AuditEntries.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(actor))
        {
            entries = entries.Where(e => e.ActorId == actor);
        }

        if (!string.IsNullOrWhiteSpace(action))
        {
            entries = entries.Where(e => e.Action == action);
        }

        if (from is { } start)
        {
            var utc = start.ToUniversalTime();
            entries = entries.Where(e => e.At >= utc);
        }

        if (to is { } end)
        {
            var utc = end.ToUniversalTime();
            entries = entries.Where(e => e.At < utc);
        }

        var total = await entries.LongCountAsync(cancellationToken);
        var items = await entries.OrderByDescending(e => e.At).ThenByDescending(e => e.Id)
            .Skip(page.Skip).Take(page.PageSize)
            .Select(e => new AuditEntryResponse(e.Id, e.At, e.Action, e.Target, e.ActorId, e.ActorName, e.ActorRole, e.Method, e.Path, e.Status, e.TraceId, e.Details))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new PagedList<AuditEntryResponse>(items, page.Page, page.PageSize, total));
    }
}
