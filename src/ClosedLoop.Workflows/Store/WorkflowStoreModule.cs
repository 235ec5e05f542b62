using ClosedLoop.Persistence;
using ClosedLoop.SharedKernel;
using ClosedLoop.Web;
using ClosedLoop.Messaging;
using ClosedLoop.Workflows.Definitions;
using ClosedLoop.Workflows.Runtime;
using ClosedLoop.Workflows.Runtime.Api;
using ClosedLoop.Workflows.Runtime.Timers;
using ClosedLoop.Workflows.Store.Api;
using ClosedLoop.Workflows.Store.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ClosedLoop.Workflows.Store;

/// <summary>How the host composes the workflow store: its tables (schema <c>workflows</c>) and the definitions admin API.</summary>
public static class WorkflowStoreModule
{
    /// <summary>The store's DbContext and the engine's definition services (catalog, validator); modules add activities with <see cref="WorkflowServiceCollectionExtensions.AddWorkflowActivity"/>.</summary>
    /// <remarks>Register after the modules: the default loops it imports at start-up name their teams and templates.</remarks>
    public static IServiceCollection AddWorkflowStore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<WorkflowStoreOptions>().Bind(configuration.GetSection(WorkflowStoreOptions.Section));
        services.AddHostedService<DefinitionSeeder>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddModuleDbContext<WorkflowsDbContext>();
        services.AddWorkflowDefinitions();
        services.AddWorkflowRuntime(configuration);
        services.AddWorkflowTimers(configuration);
        return services;
    }

    private static void AddWorkflowRuntime(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WorkflowRuntimeOptions>()
            .Bind(configuration.GetSection(WorkflowRuntimeOptions.Section))
            .Validate(o => o.Concurrency is >= 1 and <= 64, "Workflows:Runtime:Concurrency must be between 1 and 64.")
            .Validate(o => o.SweepInterval > TimeSpan.Zero && o.Lease > TimeSpan.FromSeconds(5), "Workflows:Runtime:SweepInterval must be positive and Lease over 5 seconds.")
            .Validate(o => o.MaxStepsPerRun is >= 10 and <= 10_000, "Workflows:Runtime:MaxStepsPerRun must be between 10 and 10000.")
            .Validate(o => o.LogRetention > TimeSpan.Zero && o.LogRetentionInterval > TimeSpan.Zero, "Workflows:Runtime:LogRetention and LogRetentionInterval must be positive.")
            .ValidateOnStart();
        services.AddSingleton<DefinitionCache>();
        services.AddScoped<WorkflowEngine>();
        services.AddScoped<InstanceOperations>();
        services.AddSingleton<RunnerSignal>();
        services.AddCommitHook<RunnableCommitHook>();
        services.AddSingleton<InstanceRunner>();
        services.AddHostedService<RunnerService>();
        services.AddHostedService<ExecutionLogRetention>();
        services.AddSingleton<IWorkflowTimerSink, TimerSink>();
        services.AddSingleton<IWorkflowRuntime, WorkflowRuntime>();
        services.AddIntegrationEvent<WorkflowInstanceFinishedIntegrationEvent>();
    }

    /// <summary>Maps <c>/workflow-definitions</c> (admin only) under <paramref name="api"/> (the <c>/api/v1</c> group).</summary>
    public static IEndpointRouteBuilder MapWorkflowDefinitionEndpoints(this IEndpointRouteBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var definitions = api.MapGroup("/workflow-definitions").WithTags("Workflows").RequireAuthorization(Policies.Admin);
        definitions.MapGet("/", DefinitionEndpoints.List).WithName("ListWorkflowDefinitions");
        definitions.MapGet("/{definitionId}", DefinitionEndpoints.Get)
            .WithName("GetWorkflowDefinition")
            .Produces<RawJson>(StatusCodes.Status200OK, "application/json")
            .ProducesProblem(StatusCodes.Status404NotFound);
        definitions.MapPut("/{definitionId}", DefinitionEndpoints.Put)
            .WithName("SaveWorkflowDefinitionDraft")
            .Audited("workflow-definition.saved")
            .Accepts<RawJson>("application/json")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        definitions.MapPost("/{definitionId}/publish", DefinitionEndpoints.Publish)
            .WithName("PublishWorkflowDefinition")
            .Audited("workflow-definition.published")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        definitions.MapGet("/{definitionId}/versions", DefinitionEndpoints.Versions)
            .WithName("ListWorkflowDefinitionVersions")
            .ProducesProblem(StatusCodes.Status404NotFound);
        definitions.MapGet("/{definitionId}/diagram", DefinitionEndpoints.Diagram)
            .WithName("GetWorkflowDefinitionDiagram")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        return api;
    }

    /// <summary>Maps <c>/workflow-instances</c> (admin only) under <paramref name="api"/> (the <c>/api/v1</c> group).</summary>
    public static IEndpointRouteBuilder MapWorkflowInstanceEndpoints(this IEndpointRouteBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var instances = api.MapGroup("/workflow-instances").WithTags("Workflows").RequireAuthorization(Policies.Admin);
        instances.MapGet("/", InstanceEndpoints.List).WithName("ListWorkflowInstances").ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        instances.MapGet("/{id:guid}", InstanceEndpoints.Get).WithName("GetWorkflowInstance").ProducesProblem(StatusCodes.Status404NotFound);
        instances.MapPost("/{id:guid}/retry", InstanceEndpoints.Retry)
            .WithName("RetryWorkflowInstance")
            .Audited("workflow-instance.retried")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        instances.MapPost("/{id:guid}/cancel", InstanceEndpoints.Cancel)
            .WithName("CancelWorkflowInstance")
            .Audited("workflow-instance.cancelled")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }
}
