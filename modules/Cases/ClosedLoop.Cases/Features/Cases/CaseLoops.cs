using ClosedLoop.Workflows.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace ClosedLoop.Cases.Features.Cases;

/// <summary>A step a loop waits on.</summary>
/// <param name="ActivityId">The activity's id in the loop's definition.</param>
/// <param name="Name">Its display name, e.g. "Wait for an agent (48 h)".</param>
/// <param name="Type">Its activity type, e.g. WaitForCaseEvent, Delay.</param>
/// <param name="DueAt">When its timer fires (it then continues through its Timeout port), if it has one.</param>
internal sealed record CaseLoopWait(string ActivityId, string Name, string Type, DateTimeOffset? DueAt);

/// <summary>A loop (workflow instance) that runs or ran for the case.</summary>
/// <param name="InstanceId">The instance (<c>GET /api/v1/workflow-instances/{id}</c>, admins).</param>
/// <param name="DefinitionId">The loop's definition id, e.g. detractor-recovery.</param>
/// <param name="Version">The definition version the instance is pinned to.</param>
/// <param name="Status">running, waiting, faulted, completed or cancelled.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="FinishedAt">When it completed or was cancelled.</param>
/// <param name="WaitingOn">The steps it waits on (empty unless waiting).</param>
internal sealed record CaseLoop(Guid InstanceId, string DefinitionId, int Version, string Status, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, IReadOnlyList<CaseLoopWait> WaitingOn);

/// <summary>
/// The loops of one case, from the workflow runtime, for the case's detail only: a list would cost a call per row.
/// None where no runtime is registered (a host without the workflow engine).
/// </summary>
internal sealed class CaseLoops(IServiceProvider services)
{
    public async Task<IReadOnlyList<CaseLoop>> OfAsync(Guid caseId, CancellationToken cancellationToken)
    {
        if (services.GetService<IWorkflowRuntime>() is not { } runtime)
        {
            return [];
        }

        var instances = await runtime.ForCorrelationAsync(caseId, cancellationToken);
        return [.. instances.Select(i => new CaseLoop(
            i.Id, i.DefinitionId, i.Version, i.Status, i.StartedAt, i.FinishedAt, [.. i.WaitingOn.Select(w => new CaseLoopWait(w.ActivityId, w.Name, w.Type, w.DueAt))]))];
    }
}
