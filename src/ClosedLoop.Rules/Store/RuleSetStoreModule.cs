using System.Text.Json;
using ClosedLoop.Persistence;
using ClosedLoop.Rules.Store.Api;
using ClosedLoop.Rules.Store.Data;
using ClosedLoop.SharedKernel;
using ClosedLoop.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ClosedLoop.Rules.Store;

/// <summary>How the host composes the rule-set store: its tables, the engine's source, seeding, incidents, and the admin API.</summary>
public static class RuleSetStoreModule
{
    /// <summary>
    /// Registers the store (schema <c>rules</c>) as every engine's <see cref="IRuleSetSource"/>, the start-up
    /// import of the default rule sets, the persisted incident sink, and binds <see cref="RuleEngineOptions"/>
    /// and the store's settings from section <c>Rules</c>. Modules register their inputs with
    /// <see cref="RulesServiceCollectionExtensions.AddRulesEngine{TInput}"/>.
    /// </summary>
    public static IServiceCollection AddRuleSetStore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(RuleStoreOptions.Section);
        services.AddOptions<RuleEngineOptions>().Bind(section);
        services.AddOptions<RuleStoreOptions>().Bind(section)
            .Validate(o => o.IncidentRetention > TimeSpan.Zero && o.IncidentQueueCapacity > 0, "Rules:IncidentRetention and Rules:IncidentQueueCapacity must be positive.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RuleInputs>();
        services.AddModuleDbContext<RulesDbContext>();
        services.AddScoped<IRuleSetSource, RuleSetSource>();
        services.AddScoped<RuleSetPublisher>();
        services.AddHostedService<RuleSetSeeder>();
        services.AddSingleton<IncidentQueue>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRuleIncidentSink, IncidentQueue>(sp => sp.GetRequiredService<IncidentQueue>()));
        services.AddHostedService<IncidentWriter>();
        return services;
    }

    /// <summary>Maps <c>/rule-sets</c> and <c>/rule-incidents</c> (admin only) under <paramref name="api"/> (the <c>/api/v1</c> group).</summary>
    public static IEndpointRouteBuilder MapRuleSetEndpoints(this IEndpointRouteBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var example = api.ServiceProvider.GetService<RuleInputs>() is { } inputs && inputs.Find(inputs.Names.FirstOrDefault()) is { } first
            ? first.Example
            : null;

        var sets = api.MapGroup("/rule-sets").WithTags("Rules").RequireAuthorization(Policies.Admin);
        sets.MapGet("/", RuleSetEndpoints.List)
            .WithName("ListRuleSets")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        sets.MapGet("/{name}", RuleSetEndpoints.Get)
            .WithName("GetRuleSet")
            .ProducesProblem(StatusCodes.Status404NotFound);
        sets.MapGet("/{name}/workflow", RuleSetEndpoints.GetWorkflow)
            .WithName("GetRuleSetWorkflow")
            .Produces<RawJson>(StatusCodes.Status200OK, "application/json")
            .ProducesProblem(StatusCodes.Status404NotFound);
        sets.MapPut("/{name}", RuleSetEndpoints.Put)
            .WithName("SaveRuleSet")
            .Audited("rule-set.saved")
            .Accepts<RawJson>("application/json")
            .WithRequestExample(RuleSetExamples.Workflow)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        sets.MapGet("/{name}/versions", RuleSetEndpoints.Versions)
            .WithName("ListRuleSetVersions")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        sets.MapPost("/{name}/rollback", RuleSetEndpoints.Rollback)
            .WithName("RollBackRuleSet")
            .Audited("rule-set.rolled-back")
            .WithRequestExample(new RollbackRequest(1, "Version 2 opened cases for every passive; back to the defaults."))
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);

        // A dry run changes nothing, but it is an admin running admin-written code on a sample: the trail
        // records who tried what (and keeps the rule that every admin POST is audited without exceptions).
        sets.MapPost("/{name}/test", RuleSetEndpoints.Test)
            .WithName("TestRuleSet")
            .Audited("rule-set.tested")
            .WithRequestExample(new { input = example, workflow = (JsonElement?)null })
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);

        api.MapGroup("/rule-incidents").WithTags("Rules").RequireAuthorization(Policies.Admin)
            .MapGet("/", RuleSetEndpoints.Incidents)
            .WithName("ListRuleIncidents")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        return api;
    }
}
