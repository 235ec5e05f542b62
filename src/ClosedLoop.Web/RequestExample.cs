using Microsoft.AspNetCore.Builder;

namespace ClosedLoop.Web;

/// <summary>An example request body Swagger shows for an endpoint.</summary>
public sealed record RequestExampleMetadata(object Example);

public static class RequestExampleExtensions
{
    public static RouteHandlerBuilder WithRequestExample(this RouteHandlerBuilder builder, object example) =>
        builder.WithMetadata(new RequestExampleMetadata(example));
}
