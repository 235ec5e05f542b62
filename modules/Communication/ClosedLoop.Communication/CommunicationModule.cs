using ClosedLoop.Communication.Data;
using ClosedLoop.Persistence;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ClosedLoop.Communication;

/// <summary>How the host composes the Communication module: its services, and its routes under <c>/api/v1</c>.</summary>
public static class CommunicationModule
{
    public static IServiceCollection AddCommunicationModule(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddModuleDbContext<CommunicationDbContext>();
        return services;
    }

    public static IEndpointRouteBuilder MapCommunicationEndpoints(this IEndpointRouteBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        return api;
    }
}
