using ClosedLoop.Messaging;
using ClosedLoop.SharedKernel;

namespace ClosedLoop.Workflows.Runtime;

/// <summary>Starts a loop for a module's event, inside the event's inbox transaction on the workflow store.</summary>
internal sealed class StartOnEventHandler<TEvent>(StartMapping<TEvent> mapping, WorkflowEngine engine) : IIntegrationEventHandler<TEvent>
    where TEvent : IntegrationEvent
{
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
