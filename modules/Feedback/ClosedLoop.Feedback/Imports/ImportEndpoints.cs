using ClosedLoop.SharedKernel;
using ClosedLoop.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ClosedLoop.Feedback.Imports;

/// <summary>Bulk uploads: the routes, the worker and its settings.</summary>
internal static class ImportEndpoints
{
    public static IServiceCollection AddFeedbackImports(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ImportOptions>()
            .Bind(configuration.GetSection(ImportOptions.Section))
            .Validate(o => o.ChunkSize is > 0 and <= 5_000, "Imports:ChunkSize must be between 1 and 5000.")
            .Validate(o => o.PollInterval > TimeSpan.Zero && o.Lease > TimeSpan.Zero && o.UploadIdleTimeout > TimeSpan.Zero, "Imports:PollInterval, Lease and UploadIdleTimeout must be positive.")
            .Validate(o => o.PauseBetweenChunks is null || o.PauseBetweenChunks >= TimeSpan.Zero, "Imports:PauseBetweenChunks must not be negative.")
            .Validate(o => o.MaxStoredErrors >= 0 && o.MaxAttempts > 0, "Imports:MaxStoredErrors must be 0 or more and Imports:MaxAttempts positive.")
            .ValidateOnStart();
        services.AddSingleton<ImportSignal>();
        services.AddScoped<ImportLeases>();
        services.AddScoped<ImportProcessor>();
        services.AddHostedService<ImportWorker>();
        return services;
    }

    public static IEndpointRouteBuilder MapImportEndpoints(this IEndpointRouteBuilder api)
    {
        var imports = api.MapGroup("/imports").WithTags("Imports");
        imports.MapPost("/", StartImport.Handle)
            .WithName("StartImport")
            .RequireAuthorization(Policies.Ingest)
            .RequireRateLimiting(RateLimitPolicies.Ingest)
            .WithMetadata(new DisableRequestSizeLimitAttribute())
            .Accepts<string>("text/csv", "application/csv", "application/x-ndjson", "application/jsonl", "application/json-lines")
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        imports.MapGet("/{id:guid}", GetImport.Handle)
            .WithName("GetImport")
            .RequireAuthorization(Policies.Ingest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        return api;
    }
}
