using ClosedLoop.Cases.Contracts;
using ClosedLoop.Cases.Data;
using ClosedLoop.Cases.Domain;
using ClosedLoop.Cases.Features.Cases;
using ClosedLoop.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Cases.Features.Workflows;

/// <summary>
/// Runs a loop step that changes a case once per <see cref="ActivityExecutionContext.StepKey"/>: the step's row in
/// <c>workflow_steps</c> is saved in the transaction of its change (with the case's timeline entries and events), and
/// a step run again finds it and answers the port it answered the first time, changing nothing. Two runs at once
/// cannot both act either: the case's version lets one save, the other runs again on what it saved and finds the row.
/// </summary>
internal sealed class CaseStepRunner(CasesDbContext db, TimeProvider time)
{
    public const string Done = "Done";
    public const string Failed = "Failed";

    /// <summary>Who a loop's changes are by, on the timeline and in events.</summary>
    public static CaseActor ActorOf(ActivityExecutionContext step) => new("system:workflow", $"Loop {step.DefinitionId}");

    /// <summary>
    /// Applies <paramref name="act"/> to the case (tracked; its timeline entries and events are saved with the step) and
    /// continues through the port it returns; a fault when the case does not exist or <paramref name="act"/> says why not.
    /// </summary>
    public async Task<ActivityResult> RunOnceAsync(ActivityExecutionContext step, Func<CaseContext, CaseActor, Task<StepOutcome>> act, CancellationToken cancellationToken)
    {
        if (step.StepKey.Length > CaseWorkflowStep.MaxStepKeyLength)
        {
            return ActivityResult.Fault($"The step key is longer than {CaseWorkflowStep.MaxStepKeyLength} characters.");
        }

        var actor = ActorOf(step);
        StepOutcome? outcome = null;
        CaseWorkflowStep? recorded = null;
        var result = await CaseWork.RunAsync(db, step.CorrelationId, null, null, time, async c =>
        {
            // Inside the action: a retry after a concurrent save must see a row that save brought.
            var earlier = await c.Db.WorkflowSteps.AsNoTracking().FirstOrDefaultAsync(s => s.StepKey == step.StepKey, cancellationToken);
            if (earlier is not null)
            {
                (outcome, recorded) = (StepOutcome.Continue(earlier.Port), null);
                return null;
            }

            outcome = await act(c, actor);
            if (outcome.Fault is not null)
            {
                c.Case.NewEntries.Clear();
                c.Case.Events.Clear();
                recorded = null;
                return null;
            }

            recorded = new CaseWorkflowStep
            {
                StepKey = step.StepKey,
                CaseId = c.Case.Id,
                InstanceId = step.InstanceId,
                ActivityType = step.Activity.Type,
                Port = outcome.Port,
                At = c.Now,
            };
            c.Db.WorkflowSteps.Add(recorded);
            return null;
        }, cancellationToken);

        if (!result.IsSuccess)
        {
            return ActivityResult.Fault(result.Error!.Kind == SharedKernel.ErrorKind.NotFound
                ? $"No case with id '{step.CorrelationId}' (loop {step.DefinitionId}, step {step.Activity.Id}): it does not exist."
                : $"Case {step.CorrelationId}: {result.Error.Message}");
        }

        if (outcome!.Fault is { } fault)
        {
            return ActivityResult.Fault(fault);
        }

        // A step that changed nothing on the case was not saved by CaseWork: keep its answer all the same.
        if (recorded is not null && db.Entry(recorded).State == EntityState.Added)
        {
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                db.ChangeTracker.Clear();
                var first = await db.WorkflowSteps.AsNoTracking().FirstOrDefaultAsync(s => s.StepKey == step.StepKey, cancellationToken);
                if (first is null)
                {
                    throw;
                }

                return ActivityResult.Complete(first.Port);
            }
        }

        return ActivityResult.Complete(outcome.Port);
    }
}

/// <summary>What a step did: the port it continues through, or a fault (nothing is saved then).</summary>
internal sealed record StepOutcome(string Port, string? Fault)
{
    public static StepOutcome Continue(string port) => new(port, null);

    public static StepOutcome Faulted(string message) => new(CaseStepRunner.Done, message);
}
