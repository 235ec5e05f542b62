using System.Security.Claims;
using ClosedLoop.Cases.Contracts;
using ClosedLoop.Cases.Data;
using ClosedLoop.Cases.Domain;
using ClosedLoop.Cases.Features.Access;
using ClosedLoop.Cases.Features.Teams;
using ClosedLoop.SharedKernel;
using ClosedLoop.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClosedLoop.Cases.Features.Cases;

/// <summary>Assign a case: to a team (by key), to a member of its team, or automatically to the least-loaded member.</summary>
/// <param name="Team">Move it to this team (key); without <c>assigneeId</c> or <c>auto</c> it becomes unassigned in that team.</param>
/// <param name="AssigneeId">The member's user id (must be a member of the case's team, or of <c>team</c> when given).</param>
/// <param name="Auto">Pick the least-loaded available member at the case's level.</param>
/// <param name="Reason">Optional, shown on the timeline.</param>
internal sealed record AssignRequest(string? Team, string? AssigneeId, bool? Auto, string? Reason);

/// <summary>An optional note with a lifecycle step.</summary>
/// <param name="Note">Shown on the timeline.</param>
internal sealed record StepRequest(string? Note);

/// <summary>Move between in progress and waiting on the customer.</summary>
/// <param name="Status">inProgress (from acknowledged, or back from waiting) or waitingOnCustomer (pauses the resolution clock).</param>
/// <param name="Note">Shown on the timeline.</param>
internal sealed record StatusRequest(string? Status, string? Note);

/// <summary>An internal note.</summary>
/// <param name="Text">Up to 10,000 characters, stored as written.</param>
internal sealed record NoteRequest(string? Text);

/// <summary>Escalate a case.</summary>
/// <param name="Reason">Why (required).</param>
/// <param name="Level">management or executive; default: one level up.</param>
internal sealed record EscalateRequest(string? Reason, string? Level);

/// <summary>Resolve a case.</summary>
/// <param name="RootCause">An active key from <c>GET /api/v1/root-causes</c>.</param>
/// <param name="ResolutionNote">What was done (internal).</param>
/// <param name="CustomerSummary">Optional: what the customer may be told ("here's what we changed").</param>
internal sealed record ResolveRequest(string? RootCause, string? ResolutionNote, string? CustomerSummary);

/// <summary>Reopen a resolved or closed case.</summary>
/// <param name="Reason">Why (required).</param>
internal sealed record ReopenRequest(string? Reason);

internal static class CaseCommands
{
    /// <summary>Assigns the case to a team and/or a member, or automatically to the least-loaded member.</summary>
    internal static Task<Results<Ok<CaseDetail>, ProblemHttpResult>> Assign(Guid id, AssignRequest request, [FromHeader(Name = "If-Match")] string? ifMatch, [FromServices] Services s, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors()
            .When(request.AssigneeId is not null && request.Auto == true, "auto", "Give assigneeId or auto, not both.")
            .When(request.Team is null && request.AssigneeId is null && request.Auto != true, "assigneeId", "Give team, assigneeId or auto: true.")
            .When(request.Reason is { Length: > Case.MaxReasonLength }, "reason", $"reason is at most {Case.MaxReasonLength:N0} characters.");
        return s.RunAsync(id, ifMatch, errors, async c =>
        {
            if (c.Case.Refuse(CaseAction.Assign) is { } refused)
            {
                return refused;
            }

            var team = c.Team;
            if (request.Team is { } key)
            {
                team = await TeamEndpoints.FindAsync(c.Db.Teams.AsNoTracking(), key.Trim(), cancellationToken);
                if (team is null)
                {
                    return Error.Validation(new Dictionary<string, string[]> { ["team"] = [$"No team with key '{key}'."] });
                }
            }

            if (team is null)
            {
                return Error.Validation(new Dictionary<string, string[]> { ["team"] = ["The case has no team yet: give team too."] });
            }

            TeamMember? member = null;
            if (request.AssigneeId is { } assignee)
            {
                member = team.Members.FirstOrDefault(m => m.UserId == assignee.Trim());
                if (member is null)
                {
                    return Error.Validation(new Dictionary<string, string[]> { ["assigneeId"] = [$"'{assignee}' is not a member of team '{team.Key}'."] });
                }
            }
            else if (request.Auto == true)
            {
                member = await Assigner.LeastLoadedAsync(c.Db, team, c.Case.Level, cancellationToken);
                if (member is null)
                {
                    return Error.Conflict("case-no-assignee", $"Team '{team.Key}' has no available member at {Names.Of(c.Case.Level)} level or above.");
                }
            }

            return c.Case.Assign(team, member, request.Auto == true, request.Reason, s.Viewer!.Actor, c.Now);
        }, cancellationToken);
    }

    /// <summary>Acknowledges a new case: the first response, which stops its first-response clock.</summary>
    internal static Task<Results<Ok<CaseDetail>, ProblemHttpResult>> Acknowledge(Guid id, StepRequest? request, [FromHeader(Name = "If-Match")] string? ifMatch, [FromServices] Services s, CancellationToken cancellationToken) =>
        s.RunAsync(id, ifMatch, NoteErrors(request?.Note), c => Task.FromResult(c.Case.Acknowledge(request?.Note, s.Viewer!.Actor, c.Now, c.Calendar)), cancellationToken);

    /// <summary>Starts work (acknowledged → inProgress), waits on the customer (inProgress → waitingOnCustomer, the resolution clock stands) or resumes (→ inProgress).</summary>
    internal static Task<Results<Ok<CaseDetail>, ProblemHttpResult>> Status(Guid id, StatusRequest request, [FromHeader(Name = "If-Match")] string? ifMatch, [FromServices] Services s, CancellationToken cancellationToken)
    {
        var errors = NoteErrors(request.Note);
        var target = Names.TryParse<CaseStatus>(request.Status, out var parsed) ? parsed : (CaseStatus?)null;
        errors.When(target is not (CaseStatus.InProgress or CaseStatus.WaitingOnCustomer), "status",
            "status must be inProgress or waitingOnCustomer; use /acknowledge, /resolve, /close and /reopen for the other steps.");
        return s.RunAsync(id, ifMatch, errors, c =>
        {
            var action = target == CaseStatus.WaitingOnCustomer ? CaseAction.WaitOnCustomer
                : c.Case.Status == CaseStatus.WaitingOnCustomer ? CaseAction.Resume
                : CaseAction.Start;
            return Task.FromResult(c.Case.Move(action, request.Note, s.Viewer!.Actor, c.Now, c.Calendar));
        }, cancellationToken);
    }

    /// <summary>Adds an internal note to the timeline (any status).</summary>
    internal static Task<Results<Ok<CaseDetail>, ProblemHttpResult>> Note(Guid id, NoteRequest request, [FromHeader(Name = "If-Match")] string? ifMatch, [FromServices] Services s, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors().When(string.IsNullOrWhiteSpace(request.Text) || request.Text.Length > CaseEntry.MaxTextLength, "text", $"text is required, at most {CaseEntry.MaxTextLength:N0} characters.");
        return s.RunAsync(id, ifMatch, errors, c => Task.FromResult(c.Case.AddNote(request.Text!, s.Viewer!.Actor, c.Now)), cancellationToken);
    }

    /// <summary>Escalates the case one level up (frontline → management → executive) or to the level given, with a reason.</summary>
    internal static Task<Results<Ok<CaseDetail>, ProblemHttpResult>> Escalate(Guid id, EscalateRequest request, [FromHeader(Name = "If-Match")] string? ifMatch, [FromServices] Services s, CancellationToken cancellationToken)
    {
        var level = request.Level is null ? null : Names.Level(request.Level);
        var errors = new FieldErrors()
            .When(string.IsNullOrWhiteSpace(request.Reason) || request.Reason.Length > Case.MaxReasonLength, "reason", $"reason is required, at most {Case.MaxReasonLength:N0} characters.")
            .When(request.Level is not null && level is null, "level", $"level must be {Names.List<EscalationLevel>()}.");
        return s.RunAsync(id, ifMatch, errors, c => Task.FromResult(c.Case.Escalate(level, request.Reason!.Trim(), false, s.Viewer!.Actor, c.Now)), cancellationToken);
    }

    /// <summary>Resolves the case with a root cause and a resolution note; the resolution clock stops.</summary>
    internal static Task<Results<Ok<CaseDetail>, ProblemHttpResult>> Resolve(Guid id, ResolveRequest request, [FromHeader(Name = "If-Match")] string? ifMatch, [FromServices] Services s, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors()
            .When(string.IsNullOrWhiteSpace(request.RootCause), "rootCause", "rootCause is required: a key from GET /api/v1/root-causes.")
            .When(string.IsNullOrWhiteSpace(request.ResolutionNote) || request.ResolutionNote.Length > CaseEntry.MaxTextLength, "resolutionNote", $"resolutionNote is required, at most {CaseEntry.MaxTextLength:N0} characters.")
            .When(request.CustomerSummary is { Length: > CaseEntry.MaxTextLength }, "customerSummary", $"customerSummary is at most {CaseEntry.MaxTextLength:N0} characters.");
        return s.RunAsync(id, ifMatch, errors, async c =>
        {
            if (c.Case.Refuse(CaseAction.Resolve) is { } refused)
            {
                return refused;
            }

            var key = request.RootCause!.Trim();
            var cause = await c.Db.RootCauses.AsNoTracking().FirstOrDefaultAsync(r => r.Key == key, cancellationToken);
            if (cause is not { Active: true })
            {
                return Error.Validation(new Dictionary<string, string[]> { ["rootCause"] = [cause is null ? $"'{key}' is not in the root-cause taxonomy (GET /api/v1/root-causes)." : $"'{key}' is retired; choose an active root cause."] });
            }

            return c.Case.Resolve(cause, request.ResolutionNote!, string.IsNullOrWhiteSpace(request.CustomerSummary) ? null : request.CustomerSummary, s.Viewer!.Actor, c.Now, c.Calendar);
        }, cancellationToken);
    }

    /// <summary>Closes a resolved case.</summary>
    internal static Task<Results<Ok<CaseDetail>, ProblemHttpResult>> Close(Guid id, StepRequest? request, [FromHeader(Name = "If-Match")] string? ifMatch, [FromServices] Services s, CancellationToken cancellationToken) =>
        s.RunAsync(id, ifMatch, NoteErrors(request?.Note), c => Task.FromResult(c.Case.Close(request?.Note, s.Viewer!.Actor, c.Now, c.Calendar)), cancellationToken);

    /// <summary>Reopens a resolved or closed case (back to inProgress; the resolution clock runs again from where it stood).</summary>
    internal static Task<Results<Ok<CaseDetail>, ProblemHttpResult>> Reopen(Guid id, ReopenRequest request, [FromHeader(Name = "If-Match")] string? ifMatch, [FromServices] Services s, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors().When(string.IsNullOrWhiteSpace(request.Reason) || request.Reason.Length > Case.MaxReasonLength, "reason", $"reason is required, at most {Case.MaxReasonLength:N0} characters.");
        return s.RunAsync(id, ifMatch, errors, c => Task.FromResult(c.Case.Reopen(request.Reason!.Trim(), s.Viewer!.Actor, c.Now, c.Calendar)), cancellationToken);
    }

    private static FieldErrors NoteErrors(string? note) => new FieldErrors().When(note is { Length: > CaseEntry.MaxTextLength }, "note", $"note is at most {CaseEntry.MaxTextLength:N0} characters.");

    /// <summary>What every action needs, bound once.</summary>
    internal sealed class Services(CasesDbContext db, TimeProvider time, IOptions<CasesOptions> options, IHttpContextAccessor http, CaseLoops loops)
    {
        public CaseViewer? Viewer { get; private set; }

        public async Task<Results<Ok<CaseDetail>, ProblemHttpResult>> RunAsync(Guid id, string? ifMatch, FieldErrors errors, Func<CaseContext, Task<Error?>> action, CancellationToken cancellationToken)
        {
            if (!errors.IsEmpty)
            {
                return Problems.Validation(errors.ToDictionary());
            }

            var context = http.HttpContext!;
            Viewer = await CaseViewer.OfAsync(context.User, db, options, cancellationToken);
            var result = await CaseWork.RunAsync(db, id, Viewer, ifMatch?.Trim(), time, action, cancellationToken);
            if (!result.IsSuccess)
            {
                return Problems.From(result.Error!);
            }

            var (shown, detail) = await CaseQueries.DetailAsync(db, result.Value!, time.GetUtcNow(), await loops.OfAsync(id, cancellationToken), cancellationToken);
            context.Response.Headers.ETag = shown.ETag;
            return TypedResults.Ok(detail);
        }
    }
}
