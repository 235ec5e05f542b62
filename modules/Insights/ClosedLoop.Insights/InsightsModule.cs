using ClosedLoop.Insights.Data;
using ClosedLoop.Persistence;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ClosedLoop.Insights;

/// <summary>How the host composes the Insights module: its services, and its routes under <c>/api/v1</c>.</summary>
public static class InsightsModule
{
    public static IServiceCollection AddInsightsModule(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddModuleDbContext<InsightsDbContext>();
        return services;
    }

    public static IEndpointRouteBuilder MapInsightsEndpoints(this IEndpointRouteBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        return api;
    }
}
