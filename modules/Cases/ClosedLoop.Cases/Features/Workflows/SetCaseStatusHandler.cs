using ClosedLoop.Cases.Contracts;
using ClosedLoop.Cases.Domain;
using ClosedLoop.Workflows.Runtime;

namespace ClosedLoop.Cases.Features.Workflows;

/// <summary>
/// SetCaseStatus: moves the case forward to acknowledged, inProgress, waitingOnCustomer or closed along the lifecycle's
/// working path (<see cref="LoopMoves"/>: a new case set to waitingOnCustomer is acknowledged and started on the way),
/// once per step key. A case already there continues through Done unchanged; a move the lifecycle does not allow (closing
/// a case nobody resolved, any move of a resolved or closed case but closing) leaves through Failed with why on the timeline.
/// </summary>
internal sealed class SetCaseStatusHandler(CaseStepRunner runner) : IActivityHandler
{
    public static readonly string[] Statuses = ["acknowledged", "inProgress", "waitingOnCustomer", "closed"];

    public string ActivityType => "SetCaseStatus";

    public ValueTask<ActivityResult> ExecuteAsync(ActivityExecutionContext context, CancellationToken cancellationToken)
    {
        var statusText = context.String("status");
        CaseStatus? target = Statuses.Contains(statusText, StringComparer.Ordinal) && Names.TryParse<CaseStatus>(statusText, out var parsed) ? parsed : null;
        if (target is null)
        {
            return ValueTask.FromResult(ActivityResult.Fault($"SetCaseStatus '{context.Activity.Id}': status '{statusText}' is not {string.Join(", ", Statuses[..^1])} or {Statuses[^1]}."));
        }

        var note = context.String("note") is { Length: > 0 } n ? n[..Math.Min(n.Length, CaseEntry.MaxTextLength)] : null;
        return new ValueTask<ActivityResult>(runner.RunOnceAsync(context, (c, by) =>
        {
            if (LoopMoves.To(c, target.Value, note, by) is { } refused)
            {
                c.Case.Record(LoopTimeline.StepFailed, $"The loop could not set the case to {Names.Of(target.Value)}: {refused.Message}", by, c.Now);
                return Task.FromResult(StepOutcome.Continue(CaseStepRunner.Failed));
            }

            return Task.FromResult(StepOutcome.Continue(CaseStepRunner.Done));
        }, cancellationToken));
    }
}
