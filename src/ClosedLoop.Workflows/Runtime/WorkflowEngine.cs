namespace ClosedLoop.Workflows.Runtime;

/// <summary>PLACEHOLDER while the runtime is written (replaced in this branch before it lands).</summary>
internal sealed class WorkflowEngine
{
    public Task EnlistStartAsync(WorkflowStartRequest request, CancellationToken cancellationToken) => throw new NotImplementedException();

    public Task EnlistResumeAsync(WorkflowStimulus stimulus, CancellationToken cancellationToken) => throw new NotImplementedException();
}
