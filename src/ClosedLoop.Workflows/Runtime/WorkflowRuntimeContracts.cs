using System.Text.Json;
using ClosedLoop.SharedKernel;

namespace ClosedLoop.Workflows.Runtime;

/// <summary>What modules ask of the running loops, in-process.</summary>
public interface IWorkflowRuntime
{
    /// <summary>
    /// Starts the definition's published version for the correlation (at most once per pair: a second call answers the
    /// first instance's id). A loop without a published version is kept as a faulted instance an operator retries.
    /// </summary>
    Task<Guid> StartAsync(WorkflowStartRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Resumes every bookmark the stimulus matches, each at most once however often or concurrently it is delivered;
    /// answers how many it resumed. The instances run on after this returns.
    /// </summary>
    Task<int> ResumeAsync(WorkflowStimulus stimulus, CancellationToken cancellationToken = default);

    /// <summary>The loops that ran or run for a case (newest first), without their state: what a case's detail shows.</summary>
    Task<IReadOnlyList<WorkflowInstanceSummary>> ForCorrelationAsync(Guid correlationId, CancellationToken cancellationToken = default);
}

/// <summary>An instance as a case's detail shows it.</summary>
/// <param name="Id">The instance (<c>GET /api/v1/workflow-instances/{id}</c>).</param>
/// <param name="DefinitionId">The loop.</param>
/// <param name="Version">The version it is pinned to.</param>
/// <param name="Status">running, waiting, faulted, completed or cancelled.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="FinishedAt">When it completed or was cancelled.</param>
/// <param name="WaitingOn">The steps it waits on (empty unless waiting).</param>
public sealed record WorkflowInstanceSummary(
    Guid Id,
    string DefinitionId,
    int Version,
    string Status,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    IReadOnlyList<WaitingStep> WaitingOn);

/// <summary>A step an instance waits on.</summary>
/// <param name="ActivityId">The activity's id in the definition.</param>
/// <param name="Name">Its display name.</param>
/// <param name="Type">Its activity type.</param>
/// <param name="DueAt">When its timer fires, if it has one.</param>
public sealed record WaitingStep(string ActivityId, string Name, string Type, DateTimeOffset? DueAt);

/// <summary>
/// A loop instance finished (completed, or cancelled by an operator). <paramref name="Outputs"/> holds what its steps
/// produced, by activity id (a survey step's output is the answer), as JSON.
/// </summary>
public sealed record WorkflowInstanceFinishedIntegrationEvent(
    Guid InstanceId,
    string DefinitionId,
    int Version,
    Guid CorrelationId,
    string Outcome,
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    IReadOnlyDictionary<string, JsonElement> Outputs) : IntegrationEvent;
