using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ClosedLoop.Workflows.Definitions;

public static class WorkflowServiceCollectionExtensions
{
    /// <summary>
    /// Registers the <see cref="ActivityCatalog"/> (singleton: the built-in control-flow activities plus every
    /// <see cref="AddWorkflowActivity"/>, in any order) and the <see cref="DefinitionValidator"/> (scoped, because
    /// reference checks usually read a module's database).
    /// </summary>
    public static IServiceCollection AddWorkflowDefinitions(this IServiceCollection services)
    {
        services.TryAddSingleton(sp =>
        {
            var catalog = new ActivityCatalog();
            foreach (var descriptor in BuiltInActivities.All)
            {
                catalog.Register(descriptor);
            }

            foreach (var registration in sp.GetServices<ActivityRegistration>())
            {
                catalog.Register(registration.Descriptor);
            }

            return catalog;
        });
        services.TryAddScoped<DefinitionValidator>();
        return services;
    }

    /// <summary>How a module makes an activity type known to the engine.</summary>
    public static IServiceCollection AddWorkflowActivity(this IServiceCollection services, ActivityDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        services.AddSingleton(new ActivityRegistration(descriptor));
        return services;
    }
}

internal sealed record ActivityRegistration(ActivityDescriptor Descriptor);
