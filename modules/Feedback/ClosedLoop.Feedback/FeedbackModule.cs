using ClosedLoop.Cases.Contracts;
using ClosedLoop.Feedback.Contracts;
using ClosedLoop.Feedback.Contracts.Routing;
using ClosedLoop.Feedback.Data;
using ClosedLoop.Feedback.Features;
using ClosedLoop.Feedback.FollowUps;
using ClosedLoop.Feedback.Imports;
using ClosedLoop.Feedback.Ingest;
using ClosedLoop.Feedback.Routing;
using ClosedLoop.Messaging;
using ClosedLoop.Persistence;
using ClosedLoop.Rules;
using ClosedLoop.SharedKernel;
using ClosedLoop.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ClosedLoop.Feedback;

/// <summary>How the host composes the Feedback module: its services, and its routes under <c>/api/v1</c>.</summary>
public static class FeedbackModule
{
    public static IServiceCollection AddFeedbackModule(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddModuleDbContext<FeedbackDbContext>();
        services.AddScoped<FeedbackIngestor>();
        services.AddScoped<ICustomerDirectory, CustomerDirectory>();
        services.AddScoped<IFeedbackIntake, FeedbackIntake>();
        services.AddHostedService<IdempotencyKeyPurger>();
        services.AddIntegrationEvent<FeedbackReceivedIntegrationEvent>();
        services.AddIntegrationEvent<CustomerErasedIntegrationEvent>();
        services.AddFeedbackImports(configuration);
        services.AddRulesEngine<FeedbackFacts>(FeedbackRouting.Input, FeedbackRouting.Describe);
        services.AddSingleton<FeedbackRouter>();
        services.AddIntegrationEvent<FeedbackRoutedIntegrationEvent>();
        services.AddIntegrationEventBatchHandler<CaseOpenedIntegrationEvent, LinkCaseToFeedback, FeedbackDbContext>();
        services.AddIntegrationEventBatchHandler<CaseAccessChangedIntegrationEvent, TrackCustomerCases, FeedbackDbContext>();
        return services;
    }

    public static IEndpointRouteBuilder MapFeedbackEndpoints(this IEndpointRouteBuilder api)
    {
        var feedback = api.MapGroup("/feedback").WithTags("Feedback");
        feedback.MapPost("/", SubmitFeedback.Handle)
            .WithName("SubmitFeedback")
            .RequireAuthorization(Policies.Ingest)
            .RequireRateLimiting(RateLimitPolicies.Ingest)
            .WithRequestExample(Examples.Item)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        feedback.MapPost("/batch", SubmitBatch.Handle)
            .WithName("SubmitFeedbackBatch")
            .RequireAuthorization(Policies.Ingest)
            .RequireRateLimiting(RateLimitPolicies.Ingest)
            .WithMetadata(new RequestSizeLimitAttribute(SubmitBatch.MaxBodyBytes))
            .WithRequestExample(new[] { Examples.Item, Examples.CommentOnly })
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        feedback.MapGet("/{id:guid}", QueryFeedback.Get)
            .WithName("GetFeedback")
            .RequireAuthorization(Policies.Reader)
            .ProducesProblem(StatusCodes.Status404NotFound);
        feedback.MapGet("/", QueryFeedback.List)
            .WithName("ListFeedback")
            .RequireAuthorization(Policies.Reader)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        api.MapImportEndpoints();

        var customers = api.MapGroup("/customers").WithTags("Customers");
        customers.MapGet("/{id:guid}", Customers.Get).WithName("GetCustomer").RequireAuthorization(Policies.Agent).ProducesProblem(StatusCodes.Status404NotFound);
        customers.MapGet("/{id:guid}/export", Customers.Export).WithName("ExportCustomer").RequireAuthorization(Policies.Admin).Audited("customer.exported").ProducesProblem(StatusCodes.Status404NotFound);
        customers.MapDelete("/{id:guid}", Customers.Erase).WithName("EraseCustomer").RequireAuthorization(Policies.Admin).Audited("customer.erased").ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }
}
