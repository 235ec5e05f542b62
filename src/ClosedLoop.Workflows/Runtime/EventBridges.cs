using ClosedLoop.Messaging;
using ClosedLoop.SharedKernel;

namespace ClosedLoop.Workflows.Runtime;

/// <summary>
/// Starts a loop for a module's event, inside the event's inbox transaction on the workflow store; a dispatch's batch
/// of events (every case a burst of feedback opened) looks its start keys and definitions up once.
/// </summary>
internal sealed class StartOnEventHandler<TEvent>(StartMapping<TEvent> mapping, WorkflowEngine engine)
    : IIntegrationEventHandler<TEvent>, IIntegrationEventBatchHandler<TEvent>
    where TEvent : IntegrationEvent
{
    public Task HandleAsync(IReadOnlyList<TEvent> integrationEvents, CancellationToken cancellationToken) =>
        engine.EnlistStartsAsync([.. integrationEvents.Select(mapping.Map).OfType<WorkflowStartRequest>()], cancellationToken);

    public async Task HandleAsync(TEvent integrationEvent, CancellationToken cancellationToken)
    {
        if (mapping.Map(integrationEvent) is { } request)
        {
            await engine.EnlistStartAsync(request, cancellationToken);
        }
    }
}

/// <summary>Resumes bookmarks for a module's event, inside the event's inbox transaction on the workflow store.</summary>
internal sealed class ResumeOnEventHandler<TEvent>(ResumeMapping<TEvent> mapping, WorkflowEngine engine) : IIntegrationEventHandler<TEvent>
    where TEvent : IntegrationEvent
{
    public async Task HandleAsync(TEvent integrationEvent, CancellationToken cancellationToken)
    {
        foreach (var stimulus in mapping.Map(integrationEvent))
        {
            await engine.EnlistResumeAsync(stimulus, cancellationToken);
        }
    }
}
