using System.Security.Claims;
using System.Text.Json;
using ClosedLoop.Web;
using ClosedLoop.Workflows.Runtime.Data;
using ClosedLoop.Workflows.Store.Data;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Workflows.Runtime.Api;

/// <summary>An instance in the list (its state is not read for lists).</summary>
/// <param name="Id">The instance.</param>
/// <param name="DefinitionId">Its loop.</param>
/// <param name="Version">The version it is pinned to.</param>
/// <param name="CaseId">The case it runs for.</param>
/// <param name="Status">running, waiting, faulted, completed or cancelled.</param>
/// <param name="CreatedAt">When it started.</param>
/// <param name="UpdatedAt">When it last ran.</param>
/// <param name="FinishedAt">When it completed or was cancelled.</param>
internal sealed record InstanceSummary(Guid Id, string DefinitionId, int Version, Guid CaseId, string Status, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? FinishedAt);

/// <summary>A page of instances, newest first.</summary>
internal sealed record InstancePage(IReadOnlyList<InstanceSummary> Items, int PageSize, string? NextCursor);

/// <summary>
/// An instance in full. <c>position</c>: the activities its tokens are queued at (running) or faulted at;
/// <c>waitingOn</c>: its bookmarks, the steps it waits on, with what resumes them and when their timers fire;
/// <c>outputs</c>: what each step produced (a survey answer, a skipped send), by activity id; <c>log</c>: the latest
/// 500 executions, oldest first.
/// </summary>
internal sealed record InstanceDetail(
    Guid Id,
    string DefinitionId,
    int Version,
    Guid CaseId,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? FinishedAt,
    IReadOnlyList<string> Position,
    IReadOnlyList<BookmarkView> WaitingOn,
    IReadOnlyDictionary<string, JsonElement> Variables,
    IReadOnlyDictionary<string, JsonElement> Outputs,
    IReadOnlyList<ExecutionView> Log,
    IReadOnlyList<IncidentView> Incidents);

/// <summary>
/// A step the instance waits on: <c>kind</c> is what resumes it (<c>case-event</c>, <c>survey-answer</c>; null for a
/// pure timer) through <c>port</c>, <c>key</c> the stimulus it matches, <c>dueAt</c> when its timer fires instead,
/// through <c>timeoutPort</c>.
/// </summary>
internal sealed record BookmarkView(Guid Id, string ActivityId, string ActivityType, string? Kind, string? Key, DateTimeOffset? DueAt, string Port, string TimeoutPort, DateTimeOffset CreatedAt);

/// <summary>One entry of the execution log: completed, waiting, resumed, joined, cancelled or faulted.</summary>
internal sealed record ExecutionView(int Sequence, string ActivityId, string ActivityType, string Outcome, string? Port, string? Message, DateTimeOffset At, int DurationMs);

/// <summary>A faulted step; resolved by a retry.</summary>
internal sealed record IncidentView(Guid Id, string ActivityId, string ActivityType, string Message, DateTimeOffset CreatedAt, DateTimeOffset? ResolvedAt, string? ResolvedBy);

internal static class InstanceEndpoints
{
    private const int LogLimit = 500;

    /// <summary>Loop instances, newest first, filtered by case, definition and status.</summary>
    /// <param name="caseId">Only the instances of this case.</param>
    /// <param name="definitionId">Only instances of this loop.</param>
    /// <param name="status"><c>running</c>, <c>waiting</c>, <c>faulted</c>, <c>completed</c> or <c>cancelled</c>.</param>
    /// <param name="cursor">From the previous page's nextCursor.</param>
    /// <param name="pageSize">1–500, default 50.</param>
    /// <param name="db">The workflow store.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<Results<Ok<InstancePage>, ProblemHttpResult>> List(
        Guid? caseId, string? definitionId, string? status, string? cursor, int? pageSize, WorkflowsDbContext db, CancellationToken cancellationToken)
    {
        var size = pageSize ?? 50;
        var after = cursor is null ? null : KeysetCursor.Decode(cursor);
        var wanted = InstanceStatuses.Parse(status);
        var errors = new FieldErrors()
            .When(size is < 1 or > 500, "pageSize", "pageSize must be between 1 and 500.")
            .When(cursor is not null && after is null, "cursor", "cursor is not one this API gave out.")
            .When(status is not null && wanted is null, "status", $"status is one of {string.Join(", ", InstanceStatuses.All)}.")
            .When(definitionId is { Length: > WorkflowsDbContext.MaxIdLength }, "definitionId", "definitionId is at most 64 characters.");
        if (!errors.IsEmpty)
        {
            return Problems.Validation(errors.ToDictionary());
        }

        var query = db.Instances.AsNoTracking();
        if (caseId is { } c)
        {
            query = query.Where(i => i.CorrelationId == c);
        }

        if (definitionId is not null)
        {
            query = query.Where(i => i.DefinitionId == definitionId);
        }

        if (wanted is { } s)
        {
            query = query.Where(i => i.Status == s);
        }

        if (after is { } a)
        {
            query = query.Where(i => i.CreatedAt < a.At || (i.CreatedAt == a.At && i.Id.CompareTo(a.Id) < 0));
        }

        var page = await query.OrderByDescending(i => i.CreatedAt).ThenByDescending(i => i.Id)
            .Select(i => new InstanceSummary(i.Id, i.DefinitionId, i.Version, i.CorrelationId, InstanceStatuses.Name(i.Status), i.CreatedAt, i.UpdatedAt, i.FinishedAt))
            .Take(size + 1)
            .ToListAsync(cancellationToken);
        var next = page.Count > size ? KeysetCursor.Encode(page[size - 1].CreatedAt, page[size - 1].Id) : null;
        return TypedResults.Ok(new InstancePage([.. page.Take(size)], size, next));
    }

    /// <summary>
    /// One instance: where its tokens are, the steps it waits on (bookmarks with their timers), its variables and step
    /// outputs, its execution log (the latest 500 entries) and its incidents.
    /// </summary>
    /// <param name="id">The instance.</param>
    /// <param name="db">The workflow store.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<Results<Ok<InstanceDetail>, ProblemHttpResult>> Get(Guid id, WorkflowsDbContext db, CancellationToken cancellationToken)
    {
        var instance = await db.Instances.AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, cancellationToken);
        if (instance is null)
        {
            return Problems.NotFound("workflow instance", id);
        }

        var state = InstanceState.Parse(instance.StateJson);
        var bookmarks = await db.Bookmarks.AsNoTracking().Where(b => b.InstanceId == id).OrderBy(b => b.CreatedAt)
            .Select(b => new BookmarkView(b.Id, b.ActivityId, b.ActivityType, b.Kind, b.Key, b.DueAt, b.Port, b.TimeoutPort, b.CreatedAt))
            .ToListAsync(cancellationToken);
        var log = await db.Executions.AsNoTracking().Where(e => e.InstanceId == id).OrderByDescending(e => e.Sequence).Take(LogLimit)
            .Select(e => new ExecutionView(e.Sequence, e.ActivityId, e.ActivityType, e.Outcome, e.Port, e.Message, e.At, e.DurationMs))
            .ToListAsync(cancellationToken);
        log.Reverse();
        var incidents = await db.Incidents.AsNoTracking().Where(x => x.InstanceId == id).OrderBy(x => x.CreatedAt)
            .Select(x => new IncidentView(x.Id, x.ActivityId, x.ActivityType, x.Message, x.CreatedAt, x.ResolvedAt, x.ResolvedBy))
            .ToListAsync(cancellationToken);
        var position = state.Queue.Select(t => t.Activity).ToList();
        if (state.Faulted is { Activity.Length: > 0 } faulted)
        {
            position.Insert(0, faulted.Activity);
        }

        return TypedResults.Ok(new InstanceDetail(
            instance.Id, instance.DefinitionId, instance.Version, instance.CorrelationId, InstanceStatuses.Name(instance.Status),
            instance.CreatedAt, instance.UpdatedAt, instance.FinishedAt, position, bookmarks, state.Variables, state.Outputs, log, incidents));
    }

    /// <summary>
    /// Retries a faulted instance once its cause is fixed: the faulted step runs again (its side effects are keyed, so
    /// a message the first attempt did send is not sent twice), then the instance goes on. An instance whose loop had
    /// no published version when its case opened starts now on the published one. 409 unless faulted.
    /// </summary>
    /// <param name="id">The instance.</param>
    /// <param name="user">The operator.</param>
    /// <param name="operations">Retries and cancels.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<Results<Ok<InstanceSummary>, ProblemHttpResult>> Retry(Guid id, ClaimsPrincipal user, InstanceOperations operations, CancellationToken cancellationToken) =>
        Answer(await operations.RetryAsync(id, Callers.AuthorOf(user), cancellationToken), id);

    /// <summary>
    /// Cancels a running, waiting or faulted instance: its bookmarks and timers are removed, it runs no further step,
    /// and <c>LoopCompleted</c> reports it as cancelled. 409 when it already finished.
    /// </summary>
    /// <param name="id">The instance.</param>
    /// <param name="user">The operator.</param>
    /// <param name="operations">Retries and cancels.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<Results<Ok<InstanceSummary>, ProblemHttpResult>> Cancel(Guid id, ClaimsPrincipal user, InstanceOperations operations, CancellationToken cancellationToken) =>
        Answer(await operations.CancelAsync(id, Callers.AuthorOf(user), cancellationToken), id);

    private static Results<Ok<InstanceSummary>, ProblemHttpResult> Answer((InstanceRecord? Instance, string? Conflict) outcome, Guid id)
    {
        if (outcome.Instance is null)
        {
            return Problems.NotFound("workflow instance", id);
        }

        if (outcome.Conflict is not null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The instance cannot do that now.", detail: outcome.Conflict,
                type: "https://closedloop.dev/problems/workflow-instance-state");
        }

        var i = outcome.Instance;
        return TypedResults.Ok(new InstanceSummary(i.Id, i.DefinitionId, i.Version, i.CorrelationId, InstanceStatuses.Name(i.Status), i.CreatedAt, i.UpdatedAt, i.FinishedAt));
    }
}
