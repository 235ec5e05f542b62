using ClosedLoop.Cases.Contracts;
using ClosedLoop.Cases.Data;
using ClosedLoop.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Cases.Features.Workflows;

/// <summary>
/// WaitForCaseEvent: Done at once when what it waits for has already happened (acknowledged: the case has its first
/// response; resolved: resolved or closed; closed: closed); otherwise a <c>case-event</c> bookmark keyed
/// <c>{caseId:N}:{event}</c> that the case's events resume (see <see cref="CaseLoopTriggers"/>), with a timer for
/// <c>timeout</c> counted in calendar time or, with <c>businessHours</c>, in the case's team's business hours.
/// customerReplied and reopened only ever wait: they are things that happen next, not states.
/// </summary>
internal sealed class WaitForCaseEventHandler(CasesDbContext db, IBusinessCalendar calendar) : IActivityHandler
{
    public const string BookmarkKind = "case-event";

    public string ActivityType => "WaitForCaseEvent";

    public static string KeyOf(Guid caseId, string caseEvent) => $"{caseId:N}:{caseEvent}";

    public async ValueTask<ActivityResult> ExecuteAsync(ActivityExecutionContext context, CancellationToken cancellationToken)
    {
        var caseEvent = context.String("event");
        if (caseEvent is null || !CaseActivities.CaseEvents.Contains(caseEvent, StringComparer.Ordinal))
        {
            return ActivityResult.Fault($"WaitForCaseEvent '{context.Activity.Id}': event '{caseEvent}' is not one of {string.Join(", ", CaseActivities.CaseEvents)}.");
        }

        var state = await db.Cases.AsNoTracking()
            .Where(c => c.Id == context.CorrelationId)
            .Select(c => new { c.Status, c.AcknowledgedAt })
            .FirstOrDefaultAsync(cancellationToken);
        if (state is null)
        {
            return ActivityResult.Fault($"No case with id '{context.CorrelationId}' (loop {context.DefinitionId}, step {context.Activity.Id}): it does not exist.");
        }

        if (Happened(caseEvent, state.Status, state.AcknowledgedAt))
        {
            return ActivityResult.Complete("Done");
        }

        DateTimeOffset? dueAt = null;
        if (context.TimeSpan("timeout") is { } timeout)
        {
            dueAt = context.Boolean("businessHours") == true
                ? await calendar.AddBusinessTimeAsync(context.CorrelationId, context.Now, timeout, cancellationToken)
                : context.Now + timeout;
        }

        return ActivityResult.Wait(new BookmarkRequest(BookmarkKind, KeyOf(context.CorrelationId, caseEvent), dueAt, "Done", "Timeout"));
    }

    /// <summary>Whether the case's state shows the event already happened (customerReplied and reopened never do).</summary>
    public static bool Happened(string caseEvent, CaseStatus status, DateTimeOffset? acknowledgedAt) => caseEvent switch
    {
        "acknowledged" => acknowledgedAt is not null,
        "resolved" => status is CaseStatus.Resolved or CaseStatus.Closed,
        "closed" => status is CaseStatus.Closed,
        _ => false,
    };
}

/// <summary>
/// Asked right after a WaitForCaseEvent bookmark commits: was the case acknowledged, resolved or closed between the
/// step's own check and that commit? Then the runtime resumes the bookmark itself, so the event is not lost.
/// </summary>
internal sealed class CaseEventStimulusCheck(CasesDbContext db) : IStimulusCheck
{
    public string Kind => WaitForCaseEventHandler.BookmarkKind;

    public async Task<bool> HasHappenedAsync(string key, CancellationToken cancellationToken)
    {
        var parts = key.Split(':', 2);
        if (parts.Length != 2 || !Guid.TryParseExact(parts[0], "N", out var caseId))
        {
            return false;
        }

        var state = await db.Cases.AsNoTracking()
            .Where(c => c.Id == caseId)
            .Select(c => new { c.Status, c.AcknowledgedAt })
            .FirstOrDefaultAsync(cancellationToken);
        return state is not null && WaitForCaseEventHandler.Happened(parts[1], state.Status, state.AcknowledgedAt);
    }
}
