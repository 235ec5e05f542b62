using System.Text.RegularExpressions;
using ClosedLoop.Cases.Data;
using ClosedLoop.Cases.Domain;
using ClosedLoop.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Cases.Features.RootCauses;

/// <summary>A root cause as created or changed.</summary>
/// <param name="Key">Lower-case letters, digits and dashes, e.g. <c>carrier-delay</c> (POST only; fixed afterwards).</param>
/// <param name="Name">Display name.</param>
/// <param name="Description">What belongs here, for agents choosing one.</param>
/// <param name="Active">False retires it: resolutions can no longer choose it, resolved cases keep it. Default true.</param>
internal sealed record RootCauseRequest(string? Key, string? Name, string? Description, bool? Active);

/// <summary>An entry of the root-cause taxonomy.</summary>
internal sealed record RootCauseResponse(string Key, string Name, string? Description, bool Active, DateTimeOffset UpdatedAt) : IAuditTarget
{
    string IAuditTarget.AuditTarget => Key;
}

/// <summary>The taxonomy.</summary>
internal sealed record RootCauseList(IReadOnlyList<RootCauseResponse> Items);

internal static partial class RootCauseEndpoints
{
    /// <summary>The root-cause taxonomy a resolution chooses from (retired entries included, marked inactive).</summary>
    internal static async Task<Ok<RootCauseList>> List(CasesDbContext db, CancellationToken cancellationToken)
    {
        var all = await db.RootCauses.AsNoTracking().OrderBy(r => r.Key).ToListAsync(cancellationToken);
        return TypedResults.Ok(new RootCauseList([.. all.Select(ToResponse)]));
    }

    /// <summary>Adds a root cause to the taxonomy.</summary>
    internal static async Task<Results<Created<RootCauseResponse>, ProblemHttpResult>> Create(RootCauseRequest request, CasesDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var key = request.Key?.Trim() ?? "";
        errors.When(!KeyPattern().IsMatch(key), "key", "key is required: 1–64 lower-case letters, digits and dashes (e.g. carrier-delay).");
        Validate(request, errors);
        if (!errors.IsEmpty)
        {
            return Problems.Validation(errors.ToDictionary());
        }

        if (await db.RootCauses.AnyAsync(r => r.Key == key, cancellationToken))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: $"Root cause '{key}' exists; change it with PUT /api/v1/root-causes/{key}.");
        }

        var cause = new RootCause { Key = key, Name = request.Name!.Trim(), Description = request.Description?.Trim(), Active = request.Active ?? true, UpdatedAt = time.GetUtcNow() };
        db.RootCauses.Add(cause);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/v1/root-causes/{key}", ToResponse(cause));
    }

    /// <summary>Renames, redescribes, retires (<c>active: false</c>) or reinstates a root cause.</summary>
    internal static async Task<Results<Ok<RootCauseResponse>, ProblemHttpResult>> Update(string key, RootCauseRequest request, CasesDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var cause = await db.RootCauses.FirstOrDefaultAsync(r => r.Key == key, cancellationToken);
        if (cause is null)
        {
            return Problems.NotFound("root cause", key);
        }

        var errors = new FieldErrors();
        errors.When(request.Key is not null && request.Key.Trim() != key, "key", "key cannot change: resolved cases refer to it.");
        Validate(request, errors);
        if (!errors.IsEmpty)
        {
            return Problems.Validation(errors.ToDictionary());
        }

        cause.Name = request.Name!.Trim();
        cause.Description = request.Description?.Trim();
        cause.Active = request.Active ?? cause.Active;
        cause.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(ToResponse(cause));
    }

    private static void Validate(RootCauseRequest request, FieldErrors errors) => errors
        .When(string.IsNullOrWhiteSpace(request.Name) || request.Name.Trim().Length > 200, "name", "name is required, at most 200 characters.")
        .When(request.Description is { Length: > 2_000 }, "description", "description is at most 2,000 characters.");

    private static RootCauseResponse ToResponse(RootCause r) => new(r.Key, r.Name, r.Description, r.Active, r.UpdatedAt);

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}$")]
    private static partial Regex KeyPattern();
}
