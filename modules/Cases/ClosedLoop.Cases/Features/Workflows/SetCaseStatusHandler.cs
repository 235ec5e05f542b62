using ClosedLoop.Cases.Contracts;
using ClosedLoop.Cases.Domain;
using ClosedLoop.Workflows.Runtime;

namespace ClosedLoop.Cases.Features.Workflows;

/// <summary>
/// SetCaseStatus: inProgress (starts an acknowledged case, resumes one waiting on the customer), waitingOnCustomer or
/// closed (a resolved case), as the lifecycle allows; a case already there is Done unchanged. Failed, with why on the
/// timeline, when the lifecycle does not allow it from where the case is.
/// </summary>
internal sealed class SetCaseStatusHandler(CaseStepRunner runner) : IActivityHandler
{
    public string ActivityType => "SetCaseStatus";

    public ValueTask<ActivityResult> ExecuteAsync(ActivityExecutionContext context, CancellationToken cancellationToken)
    {
        var statusText = context.String("status");
        CaseStatus? target = Names.TryParse<CaseStatus>(statusText, out var parsed) && parsed is CaseStatus.InProgress or CaseStatus.WaitingOnCustomer or CaseStatus.Closed ? parsed : null;
        if (target is null)
        {
            return ValueTask.FromResult(ActivityResult.Fault($"SetCaseStatus '{context.Activity.Id}': status '{statusText}' is not inProgress, waitingOnCustomer or closed."));
        }

        var note = context.String("note") is { Length: > 0 } n ? n[..Math.Min(n.Length, CaseEntry.MaxTextLength)] : null;
        return new ValueTask<ActivityResult>(runner.RunOnceAsync(context, (c, by) =>
        {
            if (c.Case.Status == target)
            {
                return Task.FromResult(StepOutcome.Continue(CaseStepRunner.Done));
            }

            var refused = target switch
            {
                CaseStatus.Closed => c.Case.Close(note, by, c.Now, c.Calendar),
                CaseStatus.WaitingOnCustomer => c.Case.Move(CaseAction.WaitOnCustomer, note, by, c.Now, c.Calendar),
                _ => c.Case.Move(c.Case.Status == CaseStatus.WaitingOnCustomer ? CaseAction.Resume : CaseAction.Start, note, by, c.Now, c.Calendar),
            };
            if (refused is not null)
            {
                c.Case.Record(LoopTimeline.StepFailed, $"The loop could not set the case to {Names.Of(target.Value)}: {refused.Message}", by, c.Now);
                return Task.FromResult(StepOutcome.Continue(CaseStepRunner.Failed));
            }

            return Task.FromResult(StepOutcome.Continue(CaseStepRunner.Done));
        }, cancellationToken));
    }
}
