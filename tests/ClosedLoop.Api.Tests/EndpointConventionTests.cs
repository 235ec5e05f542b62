using ClosedLoop.Api.Tests.Infrastructure;
using ClosedLoop.SharedKernel;
using ClosedLoop.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;

namespace ClosedLoop.Api.Tests;

/// <summary>House rules every endpoint keeps, checked over the host's real endpoint table.</summary>
public sealed class EndpointConventionTests(SqliteApiFactory factory) : IClassFixture<SqliteApiFactory>
{
    [Fact]
    public void Every_api_endpoint_declares_who_may_call_it()
    {
        var endpoints = ApiEndpoints();

        Assert.NotEmpty(endpoints);
        foreach (var endpoint in endpoints)
        {
            var authorize = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>();
            var anonymous = endpoint.Metadata.GetMetadata<IAllowAnonymous>();
            Assert.True(authorize.Any(a => a.Policy is not null) || anonymous is not null, $"{endpoint.DisplayName} has no authorization policy");
        }
    }

    [Fact]
    public void Every_admin_change_is_audited()
    {
        var changes = ApiEndpoints()
            .Where(e => e.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => a.Policy == Policies.Admin))
            .Where(e => e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Any(m => m is "POST" or "PUT" or "PATCH" or "DELETE") == true)
            .ToList();

        Assert.NotEmpty(changes);
        Assert.All(changes, e => Assert.True(e.Metadata.GetMetadata<AuditedMetadata>() is not null, $"{e.DisplayName} changes state as admin but is not audited"));
    }

    [Fact]
    public void Every_api_endpoint_is_named_and_tagged_for_swagger()
    {
        foreach (var endpoint in ApiEndpoints())
        {
            Assert.NotNull(endpoint.Metadata.GetMetadata<IEndpointNameMetadata>());
            Assert.NotEmpty(endpoint.Metadata.GetMetadata<ITagsMetadata>()?.Tags ?? []);
        }
    }

    private List<RouteEndpoint> ApiEndpoints() => factory.Services.GetRequiredService<EndpointDataSource>().Endpoints
        .OfType<RouteEndpoint>()
        .Where(e => e.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true)
        .ToList();
}
