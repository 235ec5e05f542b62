using ClosedLoop.Cases.Contracts;
using ClosedLoop.Communication.Contracts;
using ClosedLoop.Communication.Data;
using ClosedLoop.Communication.Features.Consent;
using ClosedLoop.Communication.Features.Improvements;
using ClosedLoop.Communication.Features.Messages;
using ClosedLoop.Communication.Features.Notifications;
using ClosedLoop.Communication.Features.Surveys;
using ClosedLoop.Communication.Sending;
using ClosedLoop.Feedback.Contracts;
using ClosedLoop.Messaging;
using ClosedLoop.Communication.Features.Templates;
using ClosedLoop.Communication.Features.Workflows;
using ClosedLoop.Communication.Rendering;
using ClosedLoop.Persistence;
using ClosedLoop.Workflows.Definitions;
using ClosedLoop.Workflows.Runtime;
using ClosedLoop.SharedKernel;
using ClosedLoop.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ClosedLoop.Communication;

/// <summary>How the host composes the Communication module: its services, and its routes under <c>/api/v1</c>.</summary>
public static class CommunicationModule
{
    public static IServiceCollection AddCommunicationModule(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddModuleDbContext<CommunicationDbContext>();
        services.AddOptions<CommunicationOptions>().Bind(configuration.GetSection(CommunicationOptions.Section));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(TemplateLimits.Default);
        services.AddSingleton<TemplateRenderer>();
        services.AddSingleton<SampleModel>();
        services.AddSingleton<TemplateValidator>();
        services.AddScoped<TemplatePublisher>();
        services.AddHostedService<TemplateSeeder>();
        services.AddCommunicationConsent(configuration);

        foreach (var activity in CommunicationActivities.All)
        {
            services.AddWorkflowActivity(activity);
        }

        services.AddWorkflowActivityHandler<SendMessageHandler>();
        services.AddWorkflowActivityHandler<SendSurveyHandler>();
        services.AddWorkflowActivityHandler<CallWebhookHandler>();
        services.AddSingleton<SurveyLinks>();
        services.AddScoped<SurveyAnswers>();
        services.AddIntegrationEvent<SurveyAnsweredIntegrationEvent>();

        // One answer resumes the survey step that asked, and any step waiting for the customer to reply on the case.
        services.AddWorkflowResumeOn<SurveyAnsweredIntegrationEvent>(e =>
        {
            // answeredAt orders answers when a loop asks more than once (the score after a loop is the newest one).
            var payload = JsonSerializer.SerializeToElement(new { score = e.Score, comment = e.Comment, feedbackId = e.FeedbackId, answeredAt = e.AnsweredAt }, JsonSerializerOptions.Web);
            return
            [
                new WorkflowStimulus(SendSurveyHandler.BookmarkKind, SendSurveyHandler.BookmarkKey(e.InstanceId, e.ActivityId), payload),
                new WorkflowStimulus("case-event", $"{e.CaseId:N}:customerReplied", payload),
            ];
        });
        services.AddScoped<IDefinitionReferenceCheck, TemplateDefinitionCheck>();
        services.AddScoped<IDefinitionReferenceCheck, WebhookEndpointDefinitionCheck>();
        services.AddSingleton<PublishedTemplates>();
        services.AddSingleton<MessageModels>();
        services.AddScoped<MessageComposer>();
        services.AddScoped<StaffNotifier>();
        services.AddScoped<CaseSubjects>();
        services.AddScoped<CommunicationApi>();
        services.AddScoped<ICommunicationApi>(sp => sp.GetRequiredService<CommunicationApi>());
        services.AddOptions<MessageRetentionOptions>()
            .Bind(configuration.GetSection(MessageRetentionOptions.Section))
            .Validate(o => o.Messages >= TimeSpan.FromDays(1) && o.Interval > TimeSpan.Zero, "Communication:Retention:Messages must be at least a day and Interval positive.")
            .ValidateOnStart();
        services.AddHostedService<MessageRetention>();
        services.AddSingleton<AnnouncementSignal>();
        services.AddScoped<Announcer>();
        services.AddHostedService<AnnouncementRunner>();
        services.AddIntegrationEvent<CustomerMessageQueuedIntegrationEvent>();
        services.AddIntegrationEvent<MessageDeliveredIntegrationEvent>();
        services.AddIntegrationEvent<MessageDeadLetteredIntegrationEvent>();
        services.AddIntegrationEvent<CaseCommunicatedIntegrationEvent>();
        services.AddIntegrationEventHandler<CaseAssignedIntegrationEvent, CaseNotifications, CommunicationDbContext>();
        services.AddIntegrationEventHandler<CaseEscalatedIntegrationEvent, CaseNotifications, CommunicationDbContext>();
        services.AddIntegrationEventHandler<CaseSlaBreachedIntegrationEvent, CaseNotifications, CommunicationDbContext>();
        services.AddIntegrationEventHandler<CustomerErasedIntegrationEvent, EraseCustomerMessages, CommunicationDbContext>();
        services.AddCommunicationDelivery(configuration);
        return services;
    }

    public static IEndpointRouteBuilder MapCommunicationEndpoints(this IEndpointRouteBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var templates = api.MapGroup("/templates").WithTags("Templates").RequireAuthorization(Policies.Admin);
        templates.MapGet("/", TemplateEndpoints.List)
            .WithName("ListTemplates")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        templates.MapGet("/{key}", TemplateEndpoints.Get)
            .WithName("GetTemplate")
            .ProducesProblem(StatusCodes.Status404NotFound);
        templates.MapPut("/{key}", TemplateEndpoints.Put)
            .WithName("SaveTemplate")
            .Audited("template.saved")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        templates.MapGet("/{key}/versions", TemplateEndpoints.Versions)
            .WithName("ListTemplateVersions")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        templates.MapPost("/{key}/rollback", TemplateEndpoints.Rollback)
            .WithName("RollBackTemplate")
            .Audited("template.rolled-back")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);

        // A preview changes nothing, but every admin POST is audited, without exceptions.
        templates.MapPost("/{key}/preview", TemplateEndpoints.Preview)
            .WithName("PreviewTemplate")
            .Audited("template.previewed")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);

        api.MapPost("/cases/{id:guid}/messages", MessageEndpoints.Send)
            .WithTags("Messages")
            .WithName("SendCaseMessage")
            .RequireAuthorization(Policies.Agent)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        var messages = api.MapGroup("/messages").WithTags("Messages").RequireAuthorization(Policies.Agent);
        messages.MapGet("/", MessageEndpoints.List)
            .WithName("ListMessages")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        messages.MapGet("/{id:guid}", MessageEndpoints.Get)
            .WithName("GetMessage")
            .ProducesProblem(StatusCodes.Status404NotFound);

        var improvements = api.MapGroup("/improvements").WithTags("Improvements").RequireAuthorization(Policies.Admin);
        improvements.MapPost("/", ImprovementEndpoints.Create)
            .WithName("CreateImprovement")
            .Audited("improvement.created")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        improvements.MapGet("/{id:guid}", ImprovementEndpoints.Get)
            .WithName("GetImprovement")
            .ProducesProblem(StatusCodes.Status404NotFound);
        improvements.MapPost("/{id:guid}/announce", ImprovementEndpoints.Announce)
            .WithName("AnnounceImprovement")
            .Audited("improvement.announced")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        api.MapConsentEndpoints();
        api.MapDeliveryEndpoints();
        return api;
    }

    /// <summary>The routes at the root that customers open from a message, without login (<c>/u/{token}</c>, <c>/s/{token}</c>).</summary>
    public static IEndpointRouteBuilder MapCommunicationPublicEndpoints(this IEndpointRouteBuilder app) => app.MapUnsubscribeEndpoints().MapSurveyEndpoints();
}
