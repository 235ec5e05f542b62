using ClosedLoop.SharedKernel;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.IdentityModel.Tokens;

namespace ClosedLoop.Api.Security;

internal static class SecurityServiceCollectionExtensions
{
    /// <summary>The scheme that picks API key or bearer per request.</summary>
    public const string DefaultScheme = "ApiKeyOrBearer";

    public static IServiceCollection AddClosedLoopSecurity(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(AuthOptions.Section);
        services.AddOptions<AuthOptions>()
            .Bind(section)
            .Validate<IHostEnvironment>(
                (o, env) => env.IsDevelopment() || o.DevelopmentKeys.Count == 0,
                "Auth:DevelopmentKeys are configured outside the Development environment. Development keys are public; remove them (and create real keys with POST /api/v1/api-keys) before running here.")
            .Validate(o => o.DevelopmentKeys.All(k => k.Key.Length >= 8 && Roles.IsKnown(k.Role)), "Every Auth:DevelopmentKeys entry needs a Key of 8+ characters and a Role of admin, agent, analyst or ingest.")
            .Validate(o => o.KeyCacheDuration >= TimeSpan.Zero && o.KeyCacheDuration <= TimeSpan.FromMinutes(10), "Auth:KeyCacheDuration must be between 0 and 10 minutes.")
            .ValidateOnStart();

        services.AddMemoryCache();
        services.AddSingleton<ApiKeyValidator>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();

        var jwt = section.GetSection(nameof(AuthOptions.Jwt)).Get<JwtOptions>() ?? new JwtOptions();
        var authentication = services.AddAuthentication(DefaultScheme)
            .AddPolicyScheme(DefaultScheme, "API key or bearer token", o => o.ForwardDefaultSelector = context =>
                jwt.Enabled && context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? JwtBearerDefaults.AuthenticationScheme
                    : ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        if (jwt.Enabled)
        {
            authentication.AddJwtBearer(o =>
            {
                o.MapInboundClaims = false;

                // The challenge header would otherwise carry the validator's reason (expected issuer, key id): logged instead.
                o.IncludeErrorDetails = false;
                o.RequireHttpsMetadata = jwt.RequireHttpsMetadata;
                if (!string.IsNullOrWhiteSpace(jwt.Authority))
                {
                    o.Authority = jwt.Authority;
                }

                o.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidateAudience = !string.IsNullOrWhiteSpace(jwt.Audience),
                    ValidAudience = jwt.Audience,
                    ValidateIssuer = !string.IsNullOrWhiteSpace(jwt.Authority) || !string.IsNullOrWhiteSpace(jwt.Issuer),
                    ValidIssuer = jwt.Issuer,
                    RoleClaimType = jwt.RoleClaim,
                    NameClaimType = "name",
                    IssuerSigningKey = string.IsNullOrWhiteSpace(jwt.SigningKey) ? null : new SymmetricSecurityKey(Convert.FromBase64String(jwt.SigningKey)),
                };
            });
        }

        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Admin, p => p.RequireRole(Roles.Admin))
            .AddPolicy(Policies.Ingest, p => p.RequireRole(Roles.Ingest, Roles.Admin))
            .AddPolicy(Policies.Agent, p => p.RequireRole(Roles.Agent, Roles.Admin))
            .AddPolicy(Policies.Analyst, p => p.RequireRole(Roles.Analyst, Roles.Admin))
            .AddPolicy(Policies.Reader, p => p.RequireRole(Roles.Agent, Roles.Analyst, Roles.Admin));
        return services;
    }
}
