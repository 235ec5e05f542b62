using ClosedLoop.Communication.Data;
using ClosedLoop.Communication.Features.Templates;
using ClosedLoop.Communication.Rendering;
using ClosedLoop.Persistence;
using ClosedLoop.SharedKernel;
using ClosedLoop.Web;
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
        api.MapDeliveryEndpoints();
        return api;
    }
}
