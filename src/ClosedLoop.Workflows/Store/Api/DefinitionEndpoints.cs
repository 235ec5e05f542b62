using System.Security.Claims;
using System.Text;
using System.Text.RegularExpressions;
using ClosedLoop.Web;
using ClosedLoop.Workflows.Definitions;
using ClosedLoop.Workflows.Store.Data;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Workflows.Store.Api;

/// <summary>A loop definition in the list.</summary>
/// <param name="DefinitionId">Its id (what routing's <c>loop</c> names).</param>
/// <param name="Name">Its display name.</param>
/// <param name="PublishedVersion">The version new loops start; null before the first publication.</param>
/// <param name="HasDraft">Whether a draft waits to be published.</param>
/// <param name="DraftUpdatedAt">When the draft was last saved.</param>
internal sealed record DefinitionSummary(string DefinitionId, string Name, int? PublishedVersion, bool HasDraft, DateTimeOffset? DraftUpdatedAt);

/// <summary>A published version.</summary>
internal sealed record DefinitionVersionSummary(int Version, DateTimeOffset PublishedAt, string PublishedBy, string Origin, bool IsCurrent);

/// <summary>A definition as a Mermaid flowchart (paste it into any Mermaid renderer, or a Markdown fence).</summary>
internal sealed record DefinitionDiagram(string DefinitionId, int Version, bool IsPublished, string Mermaid);

/// <summary>What a publication did.</summary>
internal sealed record PublishedDefinition(string DefinitionId, int Version, DateTimeOffset PublishedAt);

/// <summary>One validation error: the activity it is about (if any), where in the JSON, and what is wrong.</summary>
internal sealed record DefinitionProblem(string? ActivityId, string Path, string Message);

internal static partial class DefinitionEndpoints
{
    private const string ProblemBase = "https://closedloop.dev/problems/";

    /// <summary>Every loop definition, by id, with its published version and whether a draft waits.</summary>
    /// <param name="db">The workflow store.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<Ok<List<DefinitionSummary>>> List(WorkflowsDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.Definitions.AsNoTracking()
            .OrderBy(d => d.DefinitionId)
            .Select(d => new DefinitionSummary(d.DefinitionId, d.Name, d.PublishedVersion, d.DraftJson != null, d.DraftUpdatedAt))
            .ToListAsync(cancellationToken));

    /// <summary>
    /// A definition's JSON: the draft when there is one (<c>isPublished: false</c>), else the published version;
    /// <c>?version=N</c> reads a published version. The ETag is the definition's revision, for <c>If-Match</c> on PUT.
    /// </summary>
    /// <param name="definitionId">The definition.</param>
    /// <param name="version">A published version instead of the latest.</param>
    /// <param name="http">The exchange (for the ETag).</param>
    /// <param name="db">The workflow store.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<Results<Ok<RawJson>, ProblemHttpResult>> Get(string definitionId, int? version, HttpContext http, WorkflowsDbContext db, CancellationToken cancellationToken)
    {
        var found = await FindAsync(db, definitionId, version, cancellationToken);
        if (found.Problem is not null)
        {
            return found.Problem;
        }

        http.Response.Headers.ETag = ETagOf(found.Record!.Revision);
        return TypedResults.Ok(new RawJson(found.Json!));
    }

    /// <summary>
    /// Saves the draft of a definition (creating the definition when new): Elsa-shaped JSON with a <c>root</c>
    /// flowchart of <c>activities</c> and <c>connections</c> (see workflows/README.md). It is validated in full
    /// — unknown activity types, missing or ill-typed inputs, dangling or unknown connections, unreachable
    /// activities, cycles without a wait, implicit joins, unknown templates, teams or root causes, expressions that
    /// do not compile — and refused with **422** listing every error with its activity id. A draft changes no running
    /// or new loop until it is published. Send <c>If-Match</c> with the ETag you read to refuse a stale save (412).
    /// </summary>
    /// <param name="definitionId">The definition: letters, digits, '-' and '_', at most 64.</param>
    /// <param name="request">The JSON body.</param>
    /// <param name="user">The admin.</param>
    /// <param name="db">The workflow store.</param>
    /// <param name="validator">Validates definitions.</param>
    /// <param name="time">The clock.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<Results<Created<RawJson>, Ok<RawJson>, ProblemHttpResult>> Put(
        string definitionId,
        HttpRequest request,
        ClaimsPrincipal user,
        WorkflowsDbContext db,
        DefinitionValidator validator,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (!IdPattern().IsMatch(definitionId))
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["definitionId"] = ["A definition id uses letters, digits, '-' and '_', starts with a letter, and has at most 64 characters."] });
        }

        if (!request.HasJsonContentType())
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type", detail: $"Send the definition as application/json; got '{request.ContentType}'.");
        }

        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var json = WithDefinitionId(await reader.ReadToEndAsync(cancellationToken), definitionId);
        if (!WorkflowDefinitionJson.TryParse(json, out var document, out var parseErrors))
        {
            return Rejected(parseErrors);
        }

        if (!string.IsNullOrEmpty(document!.DefinitionId) && document.DefinitionId != definitionId)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["definitionId"] = [$"The body's definitionId '{document.DefinitionId}' is not the route's '{definitionId}'."] });
        }

        var errors = await validator.ValidateAsync(document, cancellationToken);
        if (errors.Count > 0)
        {
            return Rejected(errors);
        }

        var record = await db.Definitions.FirstOrDefaultAsync(d => d.DefinitionId == definitionId, cancellationToken);
        var ifMatch = request.Headers.IfMatch.ToString();
        if (ifMatch.Length > 0 && ifMatch != "*" && (record is null || ifMatch != ETagOf(record.Revision)))
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status412PreconditionFailed,
                title: "Precondition failed",
                detail: record is null ? $"Definition '{definitionId}' does not exist, so If-Match cannot match." : $"Definition '{definitionId}' changed since you read it (ETag {ETagOf(record.Revision)}); GET it, apply your change and save again.",
                type: ProblemBase + "precondition-failed");
        }

        var created = record is null;
        var now = time.GetUtcNow();
        record ??= db.Definitions.Add(new DefinitionRecord { DefinitionId = definitionId, Name = "", CreatedAt = now }).Entity;
        var draft = document with { DefinitionId = definitionId, Version = (record.PublishedVersion ?? 0) + 1, IsPublished = false, IsLatest = true };
        record.Name = DefinitionPublication.Truncate(draft.Name, WorkflowsDbContext.MaxNameLength);
        record.DraftJson = draft.ToJson();
        record.DraftUpdatedAt = now;
        record.DraftUpdatedBy = DefinitionPublication.Truncate(Callers.IdOf(user), WorkflowsDbContext.MaxActorLength);
        record.Revision++;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            return ConcurrentChange(definitionId);
        }

        request.HttpContext.Response.Headers.ETag = ETagOf(record.Revision);
        var body = new RawJson(record.DraftJson);
        return created ? TypedResults.Created($"/api/v1/workflow-definitions/{definitionId}", body) : TypedResults.Ok(body);
    }

    /// <summary>
    /// Publishes the draft as the next immutable version: loops started from now on run it; running loops stay on
    /// the version they started with. The draft is validated again (a template, team or root cause it names may have
    /// gone since it was saved). **409** when there is no draft.
    /// </summary>
    /// <param name="definitionId">The definition.</param>
    /// <param name="user">The admin.</param>
    /// <param name="db">The workflow store.</param>
    /// <param name="validator">Validates definitions.</param>
    /// <param name="time">The clock.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<Results<Ok<PublishedDefinition>, ProblemHttpResult>> Publish(
        string definitionId, ClaimsPrincipal user, WorkflowsDbContext db, DefinitionValidator validator, TimeProvider time, CancellationToken cancellationToken)
    {
        var record = await db.Definitions.FirstOrDefaultAsync(d => d.DefinitionId == definitionId, cancellationToken);
        if (record is null)
        {
            return Problems.NotFound("workflow definition", definitionId);
        }

        if (record.DraftJson is null)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "Conflict",
                detail: $"Definition '{definitionId}' has no draft: version {record.PublishedVersion} is the latest. PUT a draft first.",
                type: ProblemBase + "no-draft",
                extensions: new Dictionary<string, object?> { ["code"] = "no-draft" });
        }

        if (!WorkflowDefinitionJson.TryParse(record.DraftJson, out var draft, out var parseErrors))
        {
            return Rejected(parseErrors);
        }

        var errors = await validator.ValidateAsync(draft!, cancellationToken);
        if (errors.Count > 0)
        {
            return Rejected(errors);
        }

        var now = time.GetUtcNow();
        var latest = await db.DefinitionVersions.Where(v => v.DefinitionId == definitionId).MaxAsync(v => (int?)v.Version, cancellationToken) ?? 0;
        var version = latest + 1;
        DefinitionPublication.Add(db, record, draft!, version, Callers.IdOf(user), DefinitionOrigin.Api, now);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            return ConcurrentChange(definitionId);
        }

        return TypedResults.Ok(new PublishedDefinition(definitionId, version, now));
    }

    /// <summary>Every published version of a definition, newest first (read one with <c>GET …/{definitionId}?version=N</c>).</summary>
    /// <param name="definitionId">The definition.</param>
    /// <param name="db">The workflow store.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<Results<Ok<List<DefinitionVersionSummary>>, ProblemHttpResult>> Versions(string definitionId, WorkflowsDbContext db, CancellationToken cancellationToken)
    {
        var record = await db.Definitions.AsNoTracking().FirstOrDefaultAsync(d => d.DefinitionId == definitionId, cancellationToken);
        if (record is null)
        {
            return Problems.NotFound("workflow definition", definitionId);
        }

        var versions = await db.DefinitionVersions.AsNoTracking()
            .Where(v => v.DefinitionId == definitionId)
            .OrderByDescending(v => v.Version)
            .Select(v => new { v.Version, v.PublishedAt, v.PublishedBy, v.Origin })
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(versions.ConvertAll(v => new DefinitionVersionSummary(v.Version, v.PublishedAt, v.PublishedBy, v.Origin.ToString().ToLowerInvariant(), v.Version == record.PublishedVersion)));
    }

    /// <summary>The definition (its draft, else its published version, or <c>?version=N</c>) as a Mermaid flowchart.</summary>
    /// <param name="definitionId">The definition.</param>
    /// <param name="version">A published version instead of the latest.</param>
    /// <param name="db">The workflow store.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<Results<Ok<DefinitionDiagram>, ProblemHttpResult>> Diagram(string definitionId, int? version, WorkflowsDbContext db, CancellationToken cancellationToken)
    {
        var found = await FindAsync(db, definitionId, version, cancellationToken);
        if (found.Problem is not null)
        {
            return found.Problem;
        }

        if (!WorkflowDefinitionJson.TryParse(found.Json!, out var document, out var errors))
        {
            return Rejected(errors);
        }

        return TypedResults.Ok(new DefinitionDiagram(definitionId, document!.Version, document.IsPublished, MermaidDiagram.Render(document)));
    }

    private static async Task<(DefinitionRecord? Record, string? Json, ProblemHttpResult? Problem)> FindAsync(WorkflowsDbContext db, string definitionId, int? version, CancellationToken cancellationToken)
    {
        var record = await db.Definitions.AsNoTracking().FirstOrDefaultAsync(d => d.DefinitionId == definitionId, cancellationToken);
        if (record is null)
        {
            return (null, null, Problems.NotFound("workflow definition", definitionId));
        }

        if (version is null && record.DraftJson is not null)
        {
            return (record, record.DraftJson, null);
        }

        var wanted = version ?? record.PublishedVersion;
        var json = wanted is null
            ? null
            : await db.DefinitionVersions.AsNoTracking().Where(v => v.DefinitionId == definitionId && v.Version == wanted).Select(v => v.Json).FirstOrDefaultAsync(cancellationToken);
        return json is null
            ? (record, null, Problems.NotFound($"version {wanted} of workflow definition", definitionId))
            : (record, json, null);
    }

    /// <summary>422 with <c>errors</c> keyed by JSON path (as every validation problem) and <c>problems</c> naming each activity.</summary>
    private static ProblemHttpResult Rejected(IReadOnlyList<DefinitionError> errors) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors.GroupBy(e => e.Path).ToDictionary(g => g.Key, g => g.Select(e => e.ActivityId is null ? e.Message : $"{e.ActivityId}: {e.Message}").ToArray()))
        {
            Status = StatusCodes.Status422UnprocessableEntity,
            Title = "Invalid workflow definition",
            Detail = $"The definition has {errors.Count} error(s); see 'problems' for each activity.",
            Type = ProblemBase + "invalid-workflow-definition",
            Extensions =
            {
                ["code"] = "invalid-workflow-definition",
                ["problems"] = errors.Select(e => new DefinitionProblem(e.ActivityId, e.Path, e.Message)).ToList(),
            },
        });

    private static ProblemHttpResult ConcurrentChange(string definitionId) => TypedResults.Problem(
        statusCode: StatusCodes.Status409Conflict,
        title: "Conflict",
        detail: $"Definition '{definitionId}' changed while this request was checked; read it again and retry.",
        type: ProblemBase + "concurrent-change",
        extensions: new Dictionary<string, object?> { ["code"] = "concurrent-change" });

    /// <summary>The route names the definition: a body without <c>definitionId</c> gets it (a body naming another one is refused later).</summary>
    private static string WithDefinitionId(string json, string definitionId)
    {
        try
        {
            if (System.Text.Json.Nodes.JsonNode.Parse(json) is System.Text.Json.Nodes.JsonObject body && !body.ContainsKey("definitionId"))
            {
                body["definitionId"] = definitionId;
                return body.ToJsonString();
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // Not JSON: the parser says so, with its position.
        }

        return json;
    }

    private static string ETagOf(int revision) => $"\"{revision}\"";

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();
}
