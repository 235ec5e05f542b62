using ClosedLoop.Messaging;
using ClosedLoop.SharedKernel;
using ClosedLoop.Workflows.Store.Data;
using Microsoft.Extensions.DependencyInjection;

namespace ClosedLoop.Workflows.Runtime;

/// <summary>How modules plug into the runtime: the activities they run, and the events that start and resume loops.</summary>
public static class WorkflowRuntimeServiceCollectionExtensions
{
    /// <summary>Runs <typeparamref name="THandler"/>'s activity type (scoped: one per step).</summary>
    public static IServiceCollection AddWorkflowActivityHandler<THandler>(this IServiceCollection services)
        where THandler : class, IActivityHandler
    {
        services.AddScoped<IActivityHandler, THandler>();
        return services;
    }

    /// <summary>
    /// Starts a loop when <typeparamref name="TEvent"/> is published and <paramref name="map"/> names one: in the event's
    /// inbox transaction, so once per event however often it is delivered, and once per (definition, correlation) pair.
    /// </summary>
    public static IServiceCollection AddWorkflowStartOn<TEvent>(this IServiceCollection services, Func<TEvent, WorkflowStartRequest?> map)
        where TEvent : IntegrationEvent
    {
        services.AddSingleton(new StartMapping<TEvent>(map));
        services.AddIntegrationEventHandler<TEvent, StartOnEventHandler<TEvent>, WorkflowsDbContext>();
        return services;
    }

    /// <summary>Resumes the bookmarks <paramref name="map"/>'s stimuli match when <typeparamref name="TEvent"/> is published, in the event's inbox transaction.</summary>
    public static IServiceCollection AddWorkflowResumeOn<TEvent>(this IServiceCollection services, Func<TEvent, IEnumerable<WorkflowStimulus>> map)
        where TEvent : IntegrationEvent
    {
        services.AddSingleton(new ResumeMapping<TEvent>(map));
        services.AddIntegrationEventHandler<TEvent, ResumeOnEventHandler<TEvent>, WorkflowsDbContext>();
        return services;
    }
}

internal sealed record StartMapping<TEvent>(Func<TEvent, WorkflowStartRequest?> Map);

internal sealed record ResumeMapping<TEvent>(Func<TEvent, IEnumerable<WorkflowStimulus>> Map);
