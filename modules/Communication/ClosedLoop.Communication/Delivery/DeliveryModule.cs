using ClosedLoop.Communication.Contracts;
using ClosedLoop.Communication.Delivery;
using ClosedLoop.Communication.Features.Webhooks;
using ClosedLoop.Messaging;
using ClosedLoop.SharedKernel;
using ClosedLoop.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using ClosedLoop.Persistence;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

// In the module's root namespace, beside CommunicationModule, which calls it without another using. Internal: the
// architecture tests allow a module one public type, CommunicationModule; the host composes delivery through it.
namespace ClosedLoop.Communication;

/// <summary>
/// Message delivery, composed by <see cref="CommunicationModule"/>: the dispatcher and its transports (sections
/// <c>Communication:Delivery</c>, <c>Communication:Webhooks</c> and the top-level <c>Smtp</c>), the webhook endpoint
/// admin API and the admin retry of a message.
/// </summary>
internal static class DeliveryModule
{
    public static IServiceCollection AddCommunicationDelivery(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<DeliveryOptions>()
            .Bind(configuration.GetSection(DeliveryOptions.Section))
            .Validate(o => o.Problem() is null, "Communication:Delivery is invalid: MaxAttempts 1-100, BatchSize 1-1000, Concurrency 1-64, 0 < BaseDelay <= MaxDelay, Lease >= 1 s, PollInterval > 0.")
            .ValidateOnStart();
        services.AddOptions<SmtpOptions>()
            .Bind(configuration.GetSection(SmtpOptions.Section))
            .Validate(o => o.Problem() is null, "Smtp is invalid: Port 1-65535, UseTls None/StartTls/SslOnConnect/Auto, FromAddress an email address, Timeout > 0, UserName with Password.")
            .ValidateOnStart();
        services.AddOptions<WebhookOptions>()
            .Bind(configuration.GetSection(WebhookOptions.Section))
            .Validate(o => o.Problem() is null, "Communication:Webhooks:Timeout must be positive and at most 5 minutes.")
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<DeliverySignal>();
        services.AddCommitHook<MessageWriteHook>();
        services.AddSingleton<MessageClaimer>();
        services.AddSingleton<WebhookTargetGuard>();
        services.AddSingleton<WebhookTransport>();
        services.AddSingleton<SmtpTransport>();
        services.AddSingleton<MessageDispatcher>();
        services.AddHostedService<DeliveryWorker>();
        services.AddIntegrationEvent<MessageDeliveredIntegrationEvent>();
        services.AddIntegrationEvent<MessageDeadLetteredIntegrationEvent>();
        return services;
    }

    public static IEndpointRouteBuilder MapDeliveryEndpoints(this IEndpointRouteBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var endpoints = api.MapGroup("/webhook-endpoints").WithTags("Webhook endpoints").RequireAuthorization(Policies.Admin);
        endpoints.MapPost("/", WebhookEndpointEndpoints.Create)
            .WithName("CreateWebhookEndpoint")
            .Audited("webhook-endpoint.created")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        endpoints.MapGet("/", WebhookEndpointEndpoints.List)
            .WithName("ListWebhookEndpoints")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        endpoints.MapGet("/{id:guid}", WebhookEndpointEndpoints.Get)
            .WithName("GetWebhookEndpoint")
            .ProducesProblem(StatusCodes.Status404NotFound);
        endpoints.MapPut("/{id:guid}", WebhookEndpointEndpoints.Update)
            .WithName("UpdateWebhookEndpoint")
            .Audited("webhook-endpoint.updated")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        endpoints.MapDelete("/{id:guid}", WebhookEndpointEndpoints.Delete)
            .WithName("DeleteWebhookEndpoint")
            .Audited("webhook-endpoint.deleted")
            .ProducesProblem(StatusCodes.Status404NotFound);

        // Not in the /messages group of the message reads: this is delivery's one write on a message.
        api.MapPost("/messages/{id:guid}/retry", RetryMessageEndpoint.Retry)
            .WithTags("Messages")
            .WithName("RetryMessage")
            .RequireAuthorization(Policies.Admin)
            .Audited("message.retried")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }
}
