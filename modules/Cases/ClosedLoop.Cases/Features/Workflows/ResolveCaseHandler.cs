using ClosedLoop.Cases.Contracts;
using ClosedLoop.Cases.Domain;
using ClosedLoop.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Cases.Features.Workflows;

/// <summary>
/// ResolveCase: resolves the case with a root cause and a note, as the loop, once per step key; a new case is
/// acknowledged and started on the way (<see cref="LoopMoves"/>: the loop's messages were the response), so a loop that
/// works a case by itself (a promoter's thanks, an unanswered nurture survey) leaves it resolved with its clocks stopped.
/// A case already resolved or closed, by an agent or another step, continues unchanged. A root cause that is not (or no
/// longer) active in the taxonomy is a fault: the loop names it and an admin must fix it.
/// </summary>
internal sealed class ResolveCaseHandler(CaseStepRunner runner) : IActivityHandler
{
    public const string Type = "ResolveCase";

    public string ActivityType => Type;

    public ValueTask<ActivityResult> ExecuteAsync(ActivityExecutionContext context, CancellationToken cancellationToken)
    {
        var key = context.String("rootCause")?.Trim();
        var note = context.String("note")?.Trim();
        if (string.IsNullOrEmpty(key) || string.IsNullOrEmpty(note))
        {
            return ValueTask.FromResult(ActivityResult.Fault($"ResolveCase '{context.Activity.Id}' needs a rootCause and a note."));
        }

        var summary = context.String("customerSummary") is { Length: > 0 } s ? Clip(s) : null;
        return new ValueTask<ActivityResult>(runner.RunOnceAsync(context, async (c, by) =>
        {
            if (c.Case.Status is CaseStatus.Resolved or CaseStatus.Closed)
            {
                return StepOutcome.Continue(CaseStepRunner.Done);
            }

            var cause = await c.Db.RootCauses.AsNoTracking().FirstOrDefaultAsync(r => r.Key == key, cancellationToken);
            if (cause is not { Active: true })
            {
                return StepOutcome.Faulted($"ResolveCase '{context.Activity.Id}': root cause '{key}' is {(cause is null ? "not in the taxonomy" : "retired")}.");
            }

            var refused = LoopMoves.To(c, CaseStatus.Resolved, null, by, () => c.Case.Resolve(cause, Clip(note), summary, by, c.Now, c.Calendar));
            return refused is null
                ? StepOutcome.Continue(CaseStepRunner.Done)
                : StepOutcome.Faulted($"ResolveCase '{context.Activity.Id}': {refused.Message}");
        }, cancellationToken));
    }

    private static string Clip(string text) => text[..Math.Min(text.Length, CaseEntry.MaxTextLength)];
}
