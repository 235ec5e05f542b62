using ClosedLoop.SharedKernel;
using ClosedLoop.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ClosedLoop.Communication.Features.Consent;

/// <summary>Consent's services and routes, composed by <see cref="CommunicationModule"/>.</summary>
internal static class ConsentSetup
{
    /// <summary>A one-click POST carries <c>List-Unsubscribe=One-Click</c>; nothing larger is ever needed.</summary>
    private const long MaxOneClickBodyBytes = 1024;

    public static IServiceCollection AddCommunicationConsent(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ConsentOptions>().Bind(configuration.GetSection(ConsentOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ConsentOptions>, ConsentOptionsValidator>();
        services.AddSingleton<LinkSigningKey>();
        services.AddSingleton<UnsubscribeLinks>();
        services.AddSingleton<ConsentPolicy>();
        services.AddScoped<ConsentStore>();
        return services;
    }

    /// <summary><c>GET/PUT /customers/{id}/consent</c>, under the API group.</summary>
    public static IEndpointRouteBuilder MapConsentEndpoints(this IEndpointRouteBuilder api)
    {
        var customers = api.MapGroup("/customers").WithTags("Consent").RequireAuthorization(Policies.Admin);
        customers.MapGet("/{id:guid}/consent", ConsentEndpoints.Get)
            .WithName("GetCustomerConsent")
            .ProducesProblem(StatusCodes.Status404NotFound);
        customers.MapPut("/{id:guid}/consent", ConsentEndpoints.Put)
            .WithName("SetCustomerConsent")
            .Audited("customer.consent-changed")
            .WithRequestExample(new { marketing = false })
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        return api;
    }

    /// <summary><c>GET/POST /u/{token}</c>, at the root: the links in customers' emails, without login.</summary>
    public static IEndpointRouteBuilder MapUnsubscribeEndpoints(this IEndpointRouteBuilder app)
    {
        var links = app.MapGroup("/u").WithTags("Unsubscribe").AllowAnonymous().RequireRateLimiting(RateLimitPolicies.Public);
        links.MapGet("/{token}", UnsubscribeEndpoints.Open)
            .WithName("Unsubscribe")
            .Produces<string>(StatusCodes.Status200OK, "text/html")
            .Produces<string>(StatusCodes.Status400BadRequest, "text/html")
            .Produces<string>(StatusCodes.Status410Gone, "text/html")
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        links.MapPost("/{token}", UnsubscribeEndpoints.OneClick)
            .WithName("UnsubscribeOneClick")
            .WithMetadata(new RequestSizeLimitAttribute(MaxOneClickBodyBytes))
            .Produces<string>(StatusCodes.Status200OK, "text/html")
            .Produces<string>(StatusCodes.Status400BadRequest, "text/html")
            .Produces<string>(StatusCodes.Status410Gone, "text/html")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        return app;
    }

    /// <summary>Refuses to start with settings that would sign weakly or build broken links, naming each.</summary>
    private sealed class ConsentOptionsValidator : IValidateOptions<ConsentOptions>
    {
        public ValidateOptionsResult Validate(string? name, ConsentOptions options)
        {
            var problems = options.Problems().ToList();
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
