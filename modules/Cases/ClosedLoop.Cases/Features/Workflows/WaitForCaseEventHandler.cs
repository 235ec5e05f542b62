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

        var happened = caseEvent switch
        {
            "acknowledged" => state.AcknowledgedAt is not null,
            "resolved" => state.Status is CaseStatus.Resolved or CaseStatus.Closed,
            "closed" => state.Status is CaseStatus.Closed,
            _ => false,
        };
        if (happened)
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
}
