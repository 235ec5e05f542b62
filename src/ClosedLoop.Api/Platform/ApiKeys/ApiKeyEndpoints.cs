using ClosedLoop.Api.Platform.Data;
using ClosedLoop.Api.Security;
using ClosedLoop.SharedKernel;
using ClosedLoop.Web;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Api.Platform.ApiKeys;

/// <summary>A new key: name it and give it one role.</summary>
/// <param name="Name">What the key is for, e.g. "survey-tool ingest" (1–100 characters).</param>
/// <param name="Role">One of admin, agent, analyst, ingest.</param>
/// <param name="ExpiresAt">Optional expiry (UTC, in the future); without it the key lives until revoked.</param>
public sealed record CreateApiKeyRequest(string? Name, string? Role, DateTimeOffset? ExpiresAt);

/// <summary>An API key as listed: never its secret.</summary>
public sealed record ApiKeyResponse(
    Guid Id,
    string Name,
    string Role,
    string Prefix,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt,
    string? RevokedBy,
    string Status);

/// <summary>The key just created. <see cref="Secret"/> is shown this once and cannot be retrieved again.</summary>
public sealed record CreatedApiKeyResponse(
    Guid Id,
    string Name,
    string Role,
    string Prefix,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    string Secret) : IAuditTarget
{
    string IAuditTarget.AuditTarget => Id.ToString();
}

internal static class ApiKeyEndpoints
{
    public static RouteGroupBuilder MapApiKeyEndpoints(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/api-keys").WithTags("API keys").RequireAuthorization(Policies.Admin);
        group.MapGet("/", List).WithName("ListApiKeys").ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapPost("/", Create)
            .WithName("CreateApiKey")
            .Audited("api-key.created")
            .WithRequestExample(new CreateApiKeyRequest("survey-tool ingest", Roles.Ingest, null))
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapDelete("/{id:guid}", Revoke)
            .WithName("RevokeApiKey")
            .Audited("api-key.revoked")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    /// <summary>Lists API keys, newest first. Secrets are never returned.</summary>
    /// <param name="query">Paging.</param>
    /// <param name="includeRevoked">Also list revoked and expired keys (default false).</param>
    /// <param name="db">The platform database.</param>
    /// <param name="time">The clock.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<Results<Ok<PagedList<ApiKeyResponse>>, ProblemHttpResult>> List(
        [AsParameters] PageQuery query,
        bool? includeRevoked,
        PlatformDbContext db,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var page = query.Validate(errors);
        if (!errors.IsEmpty)
        {
            return Problems.Validation(errors.ToDictionary());
        }

        var now = time.GetUtcNow();
        var keys = db.ApiKeys.AsNoTracking();
        if (includeRevoked != true)
        {
            keys = keys.Where(k => k.RevokedAt == null && (k.ExpiresAt == null || k.ExpiresAt > now));
        }

        var total = await keys.LongCountAsync(cancellationToken);
        var items = await keys.OrderByDescending(k => k.CreatedAt).ThenBy(k => k.Id).Skip(page.Skip).Take(page.PageSize).ToListAsync(cancellationToken);
        return TypedResults.Ok(new PagedList<ApiKeyResponse>(items.Select(k => ToResponse(k, now)).ToList(), page.Page, page.PageSize, total));
    }

    /// <summary>Creates an API key for one role. The response holds the secret, shown only this once: store it now.</summary>
    /// <param name="request">Name, role and optional expiry.</param>
    /// <param name="db">The platform database.</param>
    /// <param name="time">The clock.</param>
    /// <param name="http">The request, for the creator's identity.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<Results<Created<CreatedApiKeyResponse>, ProblemHttpResult>> Create(
        CreateApiKeyRequest request,
        PlatformDbContext db,
        TimeProvider time,
        HttpContext http,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var name = request.Name?.Trim();
        var errors = new FieldErrors()
            .When(string.IsNullOrEmpty(name), "name", "name is required.")
            .When(name?.Length > ApiKey.MaxNameLength, "name", $"name must be at most {ApiKey.MaxNameLength} characters.")
            .When(!Roles.IsKnown(request.Role), "role", $"role must be one of: {string.Join(", ", Roles.All)}.")
            .When(request.ExpiresAt <= now, "expiresAt", "expiresAt must be in the future.");
        if (!errors.IsEmpty)
        {
            return Problems.Validation(errors.ToDictionary());
        }

        var secret = ApiKeySecrets.NewSecret();
        var key = new ApiKey
        {
            Id = Guid.CreateVersion7(),
            Name = name!,
            Role = request.Role!,
            Prefix = ApiKeySecrets.DisplayPrefix(secret),
            Hash = ApiKeySecrets.Hash(secret),
            CreatedAt = now,
            CreatedBy = http.User.Identity?.Name ?? "unknown",
            ExpiresAt = request.ExpiresAt?.ToUniversalTime(),
        };
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created(
            $"/api/v1/api-keys/{key.Id}",
            new CreatedApiKeyResponse(key.Id, key.Name, key.Role, key.Prefix, key.CreatedAt, key.ExpiresAt, secret));
    }

    /// <summary>Revokes an API key at once on this instance (within Auth:KeyCacheDuration on others). Revoking twice is harmless.</summary>
    /// <param name="id">The key's id.</param>
    /// <param name="db">The platform database.</param>
    /// <param name="validator">The key cache, cleared for this key.</param>
    /// <param name="time">The clock.</param>
    /// <param name="http">The request, for the revoker's identity.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<Results<NoContent, ProblemHttpResult>> Revoke(
        Guid id,
        PlatformDbContext db,
        ApiKeyValidator validator,
        TimeProvider time,
        HttpContext http,
        CancellationToken cancellationToken)
    {
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == id, cancellationToken);
        if (key is null)
        {
            return Problems.NotFound("API key", id);
        }

        if (key.RevokedAt is null)
        {
            key.RevokedAt = time.GetUtcNow();
            key.RevokedBy = http.User.Identity?.Name ?? "unknown";
            await db.SaveChangesAsync(cancellationToken);
        }

        validator.Invalidate(key.Hash);
        return TypedResults.NoContent();
    }

    private static ApiKeyResponse ToResponse(ApiKey k, DateTimeOffset now) => new(
        k.Id, k.Name, k.Role, k.Prefix, k.CreatedAt, k.CreatedBy, k.ExpiresAt, k.RevokedAt, k.RevokedBy,
        k.RevokedAt is not null ? "revoked" : k.IsActive(now) ? "active" : "expired");
}
