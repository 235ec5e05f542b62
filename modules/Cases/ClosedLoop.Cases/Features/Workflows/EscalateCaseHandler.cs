using ClosedLoop.Cases.Domain;
using ClosedLoop.Workflows.Runtime;

namespace ClosedLoop.Cases.Features.Workflows;

/// <summary>
/// EscalateCase: one level up, or to <c>level</c>, with <c>reason</c> on the timeline (an automatic escalation, by the
/// loop). Failed, with why on the timeline, when the case is not open or already at that level or higher.
/// </summary>
internal sealed class EscalateCaseHandler(CaseStepRunner runner) : IActivityHandler
{
    public string ActivityType => "EscalateCase";

    public ValueTask<ActivityResult> ExecuteAsync(ActivityExecutionContext context, CancellationToken cancellationToken)
    {
        var levelText = context.String("level");
        var level = levelText is null ? null : Names.Level(levelText);
        var reason = context.String("reason")?.Trim();
        if (levelText is not null && level is null)
        {
            return ValueTask.FromResult(ActivityResult.Fault($"EscalateCase '{context.Activity.Id}': level '{levelText}' is not management or executive."));
        }

        if (string.IsNullOrEmpty(reason))
        {
            return ValueTask.FromResult(ActivityResult.Fault($"EscalateCase '{context.Activity.Id}': reason is required."));
        }

        if (reason.Length > Case.MaxReasonLength)
        {
            reason = reason[..Case.MaxReasonLength];
        }

        return new ValueTask<ActivityResult>(runner.RunOnceAsync(context, (c, by) =>
        {
            if (c.Case.Escalate(level, reason, automatic: true, by, c.Now) is { } refused)
            {
                c.Case.Record(LoopTimeline.StepFailed, $"The loop could not escalate the case: {refused.Message}", by, c.Now);
                return Task.FromResult(StepOutcome.Continue(CaseStepRunner.Failed));
            }

            return Task.FromResult(StepOutcome.Continue(CaseStepRunner.Done));
        }, cancellationToken));
    }
}
