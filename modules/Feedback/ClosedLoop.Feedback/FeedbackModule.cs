using ClosedLoop.Feedback.Data;
using ClosedLoop.Persistence;
using Microsoft.AspNetCore.Builder;
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
        return services;
    }

    public static IEndpointRouteBuilder MapFeedbackEndpoints(this IEndpointRouteBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        return api;
    }
}
