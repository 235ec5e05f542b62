using System.Text.Json;
using System.Text.Json.Serialization;
using ClosedLoop.Api.OpenApi;
using ClosedLoop.Api.Platform.Audit;
using ClosedLoop.Api.Platform.Data;
using ClosedLoop.Api.Security;
using ClosedLoop.Persistence;
using ClosedLoop.Web;
using Microsoft.AspNetCore.Http.Json;

namespace ClosedLoop.Api.Hosting;

internal static class ApiHostExtensions
{
    public const int DefaultPort = 5080;

    /// <summary>Errors, limits, security, Swagger and the host's own platform tables.</summary>
    public static IServiceCollection AddClosedLoopApi(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddOptions<ApiOptions>().Bind(configuration.GetSection(ApiOptions.Section))
            .Validate(o => o.MaxRequestBodyBytes > 0, "Api:MaxRequestBodyBytes must be positive.")
            .ValidateOnStart();
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            var request = context.HttpContext.Request;
            context.ProblemDetails.Instance ??= $"{request.Method} {request.Path}";
            context.ProblemDetails.Type ??= TypeOf(context.ProblemDetails.Status);
            context.ProblemDetails.Detail ??= context.ProblemDetails.Status switch
            {
                StatusCodes.Status404NotFound => $"There is nothing at {request.Path}. See /swagger for the routes.",
                StatusCodes.Status405MethodNotAllowed => $"{request.Method} is not allowed on {request.Path}.",
                StatusCodes.Status413PayloadTooLarge => "The request body is larger than this endpoint accepts.",
                _ => null,
            };
        });
        services.AddSingleton<IProblemDetailsWriter, ProblemJsonWriter>(); // after the framework's: used when Accept excludes JSON
        services.AddExceptionHandler<ProblemExceptionHandler>();

        // Bad bodies throw with a clear message (instead of an empty 400), which the handler above turns into a problem.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never;

            // The API document says additionalProperties: false; a member the request does not have is refused, not
            // dropped, and a member sent twice is refused, not "last one wins" (RequestScreenMiddleware says where).
            o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
            o.SerializerOptions.AllowDuplicateProperties = false;
        });

        services.AddClosedLoopSecurity(configuration);
        services.AddClosedLoopRateLimiting(configuration);
        services.AddClosedLoopSwagger(configuration, environment);

        services.AddModuleDbContext<PlatformDbContext>();
        services.AddSingleton<IAuditLog, AuditLog>();
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        return services;
    }

    public static WebApplication UseClosedLoopApi(this WebApplication app)
    {
        app.UseMiddleware<ResponseHardeningMiddleware>();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        if (SwaggerSetup.IsEnabled(app.Configuration, app.Environment))
        {
            app.UseSwagger();
            app.UseSwaggerUI(o =>
            {
                o.DocumentTitle = "ClosedLoop API";
                o.SwaggerEndpoint("/swagger/v1/swagger.json", "ClosedLoop API v1");
                o.EnablePersistAuthorization();
                o.DisplayRequestDuration();
            });
        }

        app.UseRouting();
        app.UseMiddleware<RequestLimitsMiddleware>();
        app.UseAuthentication();

        // Before authorization, so floods of rejected calls are limited too; after authentication, so callers are told apart.
        app.UseRateLimiter();
        app.UseAuthorization();

        // After authorization: only a caller allowed to call an endpoint gets its body read.
        app.UseMiddleware<RequestScreenMiddleware>();
        return app;
    }

    /// <summary>A link that explains each status, for the problems whose status the framework has none for.</summary>
    private static string? TypeOf(int? status) => status switch
    {
        StatusCodes.Status413PayloadTooLarge => "https://tools.ietf.org/html/rfc9110#section-15.5.14",
        StatusCodes.Status414RequestUriTooLong => "https://tools.ietf.org/html/rfc9110#section-15.5.15",
        StatusCodes.Status429TooManyRequests => "https://tools.ietf.org/html/rfc6585#section-4",
        StatusCodes.Status431RequestHeaderFieldsTooLarge => "https://tools.ietf.org/html/rfc6585#section-5",
        499 => "https://closedloop.dev/problems/client-closed-request",
        _ => null,
    };

    /// <summary><c>--port N</c>, else whatever ASPNETCORE_URLS/--urls say, else http://localhost:5080.</summary>
    public static void ConfigureListenUrl(this WebApplicationBuilder builder, string[] args)
    {
        builder.WebHost.ConfigureKestrel(ResponseHardeningMiddleware.ConfigureKestrel);
        var index = Array.IndexOf(args, "--port");
        if (index >= 0)
        {
            if (index + 1 >= args.Length || !int.TryParse(args[index + 1], out var port) || port is < 1 or > 65535)
            {
                throw new ArgumentException("--port needs a number between 1 and 65535.");
            }

            builder.WebHost.UseUrls($"http://localhost:{port}");
        }
        else if (string.IsNullOrWhiteSpace(builder.Configuration["urls"]) && string.IsNullOrWhiteSpace(builder.Configuration["http_ports"]))
        {
            builder.WebHost.UseUrls($"http://localhost:{DefaultPort}");
        }
    }
}
