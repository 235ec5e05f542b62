using ClosedLoop.Cases.Contracts;
using ClosedLoop.Cases.Data;
using ClosedLoop.Cases.Features.Access;
using ClosedLoop.Cases.Features.Cases;
using ClosedLoop.Cases.Features.RootCauses;
using ClosedLoop.Cases.Features.Seeding;
using ClosedLoop.Cases.Features.Sla;
using ClosedLoop.Cases.Features.Teams;
using ClosedLoop.Cases.Features.Workflows;
using ClosedLoop.Communication.Contracts;
using ClosedLoop.Feedback.Contracts;
using ClosedLoop.Messaging;
using ClosedLoop.Persistence;
using ClosedLoop.Rules;
using ClosedLoop.SharedKernel;
using ClosedLoop.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using ClosedLoop.Workflows.Definitions;
using ClosedLoop.Workflows.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace ClosedLoop.Cases;

/// <summary>How the host composes the Cases module: its services, and its routes under <c>/api/v1</c>.</summary>
public static class CasesModule
{
    /// <remarks>
    /// Register before the rule-set store: its seeder validates the default rule sets, whose <c>team</c> decisions
    /// must name teams this module seeds first.
    /// </remarks>
    public static IServiceCollection AddCasesModule(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddModuleDbContext<CasesDbContext>();
        services.AddOptions<CasesOptions>().Bind(configuration.GetSection(CasesOptions.Section));
        services.AddHttpContextAccessor();
        services.AddHostedService<CasesSeeder>();
        services.AddHostedService<SlaMonitor>();
        services.AddSingleton<TeamIds>();
        services.AddScoped<CaseCommands.Services>();
        services.AddScoped<ICasesApi, CasesApi>();
        services.AddScoped<ICaseAccess, CaseAccess>();
        services.AddHostedService<CaseAccessBackfill>();
        services.AddSingleton<IDecisionReferenceCheck, TeamReferenceCheck>();
        foreach (var activity in CaseActivities.All)
        {
            services.AddWorkflowActivity(activity);
        }

        services.AddScoped<CaseStepRunner>();
        services.AddScoped<CaseLoops>();
        services.AddWorkflowActivityHandler<WaitForCaseEventHandler>();
        services.AddWorkflowActivityHandler<AssignCaseHandler>();
        services.AddWorkflowActivityHandler<EscalateCaseHandler>();
        services.AddWorkflowActivityHandler<SetCaseStatusHandler>();
        services.AddWorkflowActivityHandler<ResolveCaseHandler>();
        services.AddScoped<ICaseFactsSource, CaseFactsSource>();
        services.AddScoped<IBusinessCalendar, CaseBusinessCalendar>();

        services.AddCaseLoopTriggers();
        services.AddScoped<IStimulusCheck, CaseEventStimulusCheck>();
        services.AddIntegrationEventHandler<WorkflowInstanceFinishedIntegrationEvent, RecordLoopFinished, CasesDbContext>();
        services.AddIntegrationEvent<LoopCompletedIntegrationEvent>();

        services.AddScoped<IDefinitionReferenceCheck, TeamDefinitionCheck>();
        services.AddScoped<IDefinitionReferenceCheck, RootCauseDefinitionCheck>();
        services.AddIntegrationEventBatchHandler<FeedbackRoutedIntegrationEvent, OpenCaseOnFeedbackRouted, CasesDbContext>();
        services.AddIntegrationEventHandler<CustomerErasedIntegrationEvent, EraseCustomerCases, CasesDbContext>();
        services.AddIntegrationEventHandler<CustomerMessageQueuedIntegrationEvent, RecordCommunication, CasesDbContext>();
        services.AddIntegrationEventHandler<MessageDeliveredIntegrationEvent, RecordCommunication, CasesDbContext>();
        services.AddIntegrationEventHandler<MessageDeadLetteredIntegrationEvent, RecordCommunication, CasesDbContext>();
        services.AddIntegrationEventHandler<CaseCommunicatedIntegrationEvent, RecordCommunication, CasesDbContext>();
        services.AddIntegrationEventHandler<SurveyAnsweredIntegrationEvent, RecordSurveyAnswer, CasesDbContext>();
        services.AddIntegrationEvent<CaseOpenedIntegrationEvent>();
        services.AddIntegrationEvent<CaseAssignedIntegrationEvent>();
        services.AddIntegrationEvent<CaseAcknowledgedIntegrationEvent>();
        services.AddIntegrationEvent<CaseEscalatedIntegrationEvent>();
        services.AddIntegrationEvent<CaseStatusChangedIntegrationEvent>();
        services.AddIntegrationEvent<CaseResolvedIntegrationEvent>();
        services.AddIntegrationEvent<CaseClosedIntegrationEvent>();
        services.AddIntegrationEvent<CaseReopenedIntegrationEvent>();
        services.AddIntegrationEvent<CaseSlaBreachedIntegrationEvent>();
        services.AddIntegrationEvent<CaseAccessChangedIntegrationEvent>();
        return services;
    }

    public static IEndpointRouteBuilder MapCasesEndpoints(this IEndpointRouteBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var cases = api.MapGroup("/cases").WithTags("Cases").RequireAuthorization(Policies.Agent);
        cases.MapGet("/", CaseQueries.List).WithName("ListCases").ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        cases.MapGet("/{id:guid}", CaseQueries.Get).WithName("GetCase").ProducesProblem(StatusCodes.Status404NotFound);
        Action(cases.MapPost("/{id:guid}/assign", CaseCommands.Assign).WithName("AssignCase"));
        Action(cases.MapPost("/{id:guid}/acknowledge", CaseCommands.Acknowledge).WithName("AcknowledgeCase"));
        Action(cases.MapPost("/{id:guid}/status", CaseCommands.Status).WithName("ChangeCaseStatus"));
        Action(cases.MapPost("/{id:guid}/notes", CaseCommands.Note).WithName("AddCaseNote"));
        Action(cases.MapPost("/{id:guid}/escalate", CaseCommands.Escalate).WithName("EscalateCase"));
        Action(cases.MapPost("/{id:guid}/resolve", CaseCommands.Resolve).WithName("ResolveCase"));
        Action(cases.MapPost("/{id:guid}/close", CaseCommands.Close).WithName("CloseCase"));
        Action(cases.MapPost("/{id:guid}/reopen", CaseCommands.Reopen).WithName("ReopenCase"));

        var teams = api.MapGroup("/teams").WithTags("Teams");
        teams.MapGet("/", TeamEndpoints.List).WithName("ListTeams").RequireAuthorization(Policies.Agent);
        teams.MapGet("/{id}", TeamEndpoints.Get).WithName("GetTeam").RequireAuthorization(Policies.Agent).ProducesProblem(StatusCodes.Status404NotFound);
        teams.MapPost("/", TeamEndpoints.Create).WithName("CreateTeam").RequireAuthorization(Policies.Admin).Audited("team.created")
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        teams.MapPut("/{id}", TeamEndpoints.Update).WithName("UpdateTeam").RequireAuthorization(Policies.Admin).Audited("team.updated")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);

        var causes = api.MapGroup("/root-causes").WithTags("Root causes");
        causes.MapGet("/", RootCauseEndpoints.List).WithName("ListRootCauses").RequireAuthorization(Policies.Agent);
        causes.MapPost("/", RootCauseEndpoints.Create).WithName("CreateRootCause").RequireAuthorization(Policies.Admin).Audited("root-cause.created")
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        causes.MapPut("/{key}", RootCauseEndpoints.Update).WithName("UpdateRootCause").RequireAuthorization(Policies.Admin).Audited("root-cause.updated")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        return api;
    }

    private static void Action(RouteHandlerBuilder action) => action
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status412PreconditionFailed)
        .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
}
