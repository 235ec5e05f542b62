using System.Text.Json;
using System.Text.Json.Nodes;
using ClosedLoop.Api.Security;
using ClosedLoop.SharedKernel;
using ClosedLoop.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ClosedLoop.Api.OpenApi;

internal static class SwaggerSetup
{
    public const string ApiKeyScheme = "ApiKey";
    public const string BearerScheme = "Bearer";

    /// <summary>Setting that serves the API document and Swagger UI; default on in Development only.</summary>
    public const string EnabledSetting = "Swagger:Enabled";

    public static bool IsEnabled(IConfiguration configuration, IHostEnvironment environment) =>
        configuration.GetValue<bool?>(EnabledSetting) ?? environment.IsDevelopment();

    public static IServiceCollection AddClosedLoopSwagger(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var developmentKeys = environment.IsDevelopment()
            ? "In Development the keys `dev-admin-key`, `dev-agent-key`, `dev-analyst-key` and `dev-ingest-key` exist.\n"
            : "";
        var jwtEnabled = configuration.GetSection("Auth:Jwt").Get<JwtOptions>()?.Enabled == true;
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(o =>
        {
            o.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "ClosedLoop API",
                Version = "v1",
                Description = $"""
                    Closes the loop on customer feedback: ingest, route, follow up, tell the customer, measure.

                    **Authentication**: send an API key in the `X-Api-Key` header (Authorize button above).
                    {developmentKeys}Roles: `admin`, `agent`, `analyst`, `ingest`; each operation says which it needs.

                    **Access**: admins reach everything. Agents see the cases of their teams at their escalation level and
                    below, the customers and feedback behind those cases, and their own teams; anything else answers 404.
                    Analysts read all feedback and the insights, never case work. Ingest keys submit feedback and read
                    only the imports they started.

                    **Errors** are RFC 7807 problem documents (`application/problem+json`): 400 malformed, 401 no or bad key,
                    403 wrong role, 404, 409 illegal state change, 412 stale `If-Match`, 413 body too large,
                    415 wrong content type, 422 invalid fields (see `errors`), 429 rate limited (see `Retry-After`).
                    Bodies are refused when a member is unknown or given twice (names match without case), and any text
                    (body, query, path) is refused when it holds a lone UTF-16 surrogate or a control character other
                    than tab, line feed and carriage return.

                    **Lists** take `page` (from 1) and `pageSize` (1–500) and return `items` with paging information.
                    """,
            });
            foreach (var xml in Directory.EnumerateFiles(AppContext.BaseDirectory, "ClosedLoop.*.xml"))
            {
                o.IncludeXmlComments(xml);
            }

            o.AddSecurityDefinition(ApiKeyScheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ApiKeyAuthenticationHandler.HeaderName,
                Description = "An API key: created with POST /api/v1/api-keys, or a development key in Development.",
            });
            if (jwtEnabled)
            {
                o.AddSecurityDefinition(BearerScheme, new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "JWT",
                    Description = "A JWT from the configured identity provider; roles in the configured role claim.",
                });
            }

            // Documents users author (rule sets) travel as their own JSON, kept as text: any JSON value.
            o.MapType<RawJson>(() => new OpenApiSchema { Description = "A JSON document, exactly as authored." });
            o.SupportNonNullableReferenceTypes();
            o.OperationFilter<SecurityOperationFilter>(jwtEnabled);
            o.OperationFilter<RequestExampleOperationFilter>();
        });
        return services;
    }
}

/// <summary>Marks protected operations, names the roles they need and documents 401/403/429.</summary>
internal sealed class SecurityOperationFilter(bool jwtEnabled) : IOperationFilter
{
    private static readonly Dictionary<string, string> RolesByPolicy = new()
    {
        [Policies.Admin] = "admin",
        [Policies.Ingest] = "ingest, admin",
        [Policies.Agent] = "agent, admin",
        [Policies.Analyst] = "analyst, admin",
        [Policies.Reader] = "agent, analyst, admin",
    };

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var metadata = context.ApiDescription.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<IAllowAnonymous>().Any())
        {
            return;
        }

        var policies = metadata.OfType<IAuthorizeData>().Select(a => a.Policy).Where(p => p is not null).Cast<string>().ToList();
        if (policies.Count == 0 && !metadata.OfType<IAuthorizeData>().Any())
        {
            return;
        }

        var requirement = new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SwaggerSetup.ApiKeyScheme, context.Document)] = [] };
        operation.Security = [requirement];
        if (jwtEnabled)
        {
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SwaggerSetup.BearerScheme, context.Document)] = [] });
        }

        var roles = string.Join("; ", policies.Select(p => RolesByPolicy.GetValueOrDefault(p, p)));
        if (roles.Length > 0)
        {
            operation.Description = $"{operation.Description}\n\n**Roles:** {roles}.".TrimStart();
        }

        var problem = context.SchemaGenerator.GenerateSchema(typeof(ProblemDetails), context.SchemaRepository);
        operation.Responses ??= [];
        AddProblem(operation, "401", "No API key, or one that is invalid, expired or revoked.", problem);
        AddProblem(operation, "403", $"The caller's role may not call this{(roles.Length > 0 ? $" (needs: {roles})" : "")}.", problem);
        AddProblem(operation, "429", "Rate limited; retry after the Retry-After header's seconds.", problem);
    }

    private static void AddProblem(OpenApiOperation operation, string status, string description, IOpenApiSchema schema)
    {
        operation.Responses!.TryAdd(status, new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, IOpenApiMediaType> { ["application/problem+json"] = new OpenApiMediaType { Schema = schema } },
        });
    }
}

/// <summary>Shows the example request body an endpoint declared with <see cref="RequestExampleExtensions.WithRequestExample"/>.</summary>
internal sealed class RequestExampleOperationFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var example = context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<RequestExampleMetadata>().LastOrDefault();
        if (example is null || operation.RequestBody?.Content is not { } content)
        {
            return;
        }

        foreach (var media in content.Values.OfType<OpenApiMediaType>())
        {
            media.Example = JsonNode.Parse(JsonSerializer.Serialize(example.Example, JsonSerializerOptions.Web));
        }
    }
}
