using System.Security.Claims;
using System.Text.Json;
using System.Text.RegularExpressions;
using ClosedLoop.Communication.Data;
using ClosedLoop.Communication.Rendering;
using ClosedLoop.Communication.Sending;
using ClosedLoop.Communication.Templates;
using ClosedLoop.SharedKernel;
using ClosedLoop.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Net.Http.Headers;
using Scriban.Runtime;

namespace ClosedLoop.Communication.Features.Templates;

/// <summary>The admin API over the template store: list, read, save, history, rollback, preview.</summary>
internal static partial class TemplateEndpoints
{
    private const string ProblemBase = "https://closedloop.dev/problems/";

    /// <summary>Lists the message templates, each with its published version and languages.</summary>
    /// <param name="query">Paging.</param>
    /// <param name="db">The template store.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<Results<Ok<PagedList<TemplateSummary>>, ProblemHttpResult>> List(
        [AsParameters] PageQuery query, CommunicationDbContext db, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var page = query.Validate(errors);
        if (!errors.IsEmpty)
        {
            return Problems.Validation(errors.ToDictionary());
        }

        var total = await db.Templates.LongCountAsync(cancellationToken);
        var rows = await db.Templates.AsNoTracking().OrderBy(t => t.Key).Skip(page.Skip).Take(page.PageSize).ToListAsync(cancellationToken);
        var items = rows.Select(t => new TemplateSummary(t.Key, t.PublishedVersion, t.LatestVersion, t.Languages.Split(',', StringSplitOptions.RemoveEmptyEntries), t.UpdatedAt, t.UpdatedBy)).ToList();
        return TypedResults.Ok(new PagedList<TemplateSummary>(items, page.Page, page.PageSize, total));
    }

    /// <summary>One template: the published version (or `?version=N`) with every language's subject, HTML body and text body.</summary>
    /// <remarks>
    /// The `ETag` header is the version (`"3"`); send it back as `If-Match` when you save, so a concurrent change
    /// is not overwritten. The model a template sees is documented in templates/README.md.
    /// </remarks>
    /// <param name="key">The template's key, e.g. resolution.</param>
    /// <param name="version">A version other than the published one.</param>
    /// <param name="db">The template store.</param>
    /// <param name="http">For the ETag header.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<Results<Ok<TemplateDetail>, ProblemHttpResult>> Get(
        string key, int? version, CommunicationDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        var found = await FindAsync(db, key, version, cancellationToken);
        if (found.Problem is not null)
        {
            return found.Problem;
        }

        http.Response.Headers.ETag = VersionPrecondition.ETagOf(found.Version!.Version);
        return TypedResults.Ok(TemplateDetail.Of(found.Template!, found.Version));
    }

    /// <summary>Saves a template: every language's Scriban subject, HTML body and text body, validated, then published as a new version.</summary>
    /// <remarks>
    /// `languages` maps a language tag (`en`, `de`, `pt-BR`) to `subject`, `html` and `text`; `en` is required
    /// (customers whose language is missing read it). Each part must parse, use no removed function (`include`,
    /// `include_join`, `object.eval`, `object.eval_template`), and render against the sample model
    /// (templates/sample-model.json) within the limits; otherwise **422**, with `errors` keyed
    /// `languages.&lt;lang&gt;.&lt;part&gt;` and `problems` giving each language, part, line, column and message.
    ///
    /// Accepted, it becomes the next version and is published at once: **201** for a new template, **200** for a
    /// new version; the same content as the published version is **200** with `changed: false`. Send `If-Match`
    /// with the ETag you read to refuse the save (**412**) if someone published since.
    /// </remarks>
    /// <param name="key">The template's key: lower-case letters, digits and '-', at most 64.</param>
    /// <param name="body">The languages and a comment.</param>
    /// <param name="publisher">Validates and publishes.</param>
    /// <param name="user">The caller.</param>
    /// <param name="http">For the preconditions and the ETag.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<Results<Created<TemplateChange>, Ok<TemplateChange>, ProblemHttpResult>> Put(
        string key, TemplateSaveRequest body, TemplatePublisher publisher, ClaimsPrincipal user, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        CheckKey(key, errors);
        CheckComment(body?.Comment, errors);
        errors.When(body?.Languages is null, "languages", "languages is required: at least 'en' with a subject, an html and a text body.");
        if (!errors.IsEmpty)
        {
            return Problems.Validation(errors.ToDictionary());
        }

        var outcome = await publisher.PublishAsync(
            new TemplatePublishRequest(key, body!.Languages!, body.Comment, Callers.AuthorOf(user), TemplateOrigin.Put, null, VersionPrecondition.Of(http.Request)),
            cancellationToken);
        return Answer(outcome, key, http);
    }

    /// <summary>Every version of a template, newest first (contents via GET with `?version=N`).</summary>
    /// <param name="key">The template's key.</param>
    /// <param name="query">Paging.</param>
    /// <param name="db">The template store.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<Results<Ok<PagedList<TemplateVersionSummary>>, ProblemHttpResult>> Versions(
        string key, [AsParameters] PageQuery query, CommunicationDbContext db, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var page = query.Validate(errors);
        if (!errors.IsEmpty)
        {
            return Problems.Validation(errors.ToDictionary());
        }

        var template = await db.Templates.AsNoTracking().FirstOrDefaultAsync(t => t.Key == key, cancellationToken);
        if (template is null)
        {
            return Problems.NotFound("template", key);
        }

        var published = template.PublishedVersion;
        var items = await db.TemplateVersions.AsNoTracking().Where(v => v.Key == key)
            .OrderByDescending(v => v.Version)
            .Skip(page.Skip).Take(page.PageSize)
            .Select(v => new TemplateVersionSummary(v.Version, v.Version == published, v.Author, v.CreatedAt, v.Comment, v.Origin, v.RolledBackFrom, v.Sha256))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new PagedList<TemplateVersionSummary>(items, page.Page, page.PageSize, template.LatestVersion));
    }

    /// <summary>Publishes an older version of a template again, as a new version.</summary>
    /// <remarks>
    /// The old content is validated again first (**422** if it no longer renders against the sample model), then
    /// published as a new version (origin `rollback`, `rolledBackFrom` = the old number); history is never
    /// rewritten. Honours `If-Match`. Rolling back to what is already published is **200** with `changed: false`.
    /// </remarks>
    /// <param name="key">The template's key.</param>
    /// <param name="body">The version to republish, and why.</param>
    /// <param name="db">The template store.</param>
    /// <param name="publisher">Validates and publishes.</param>
    /// <param name="user">The caller.</param>
    /// <param name="http">For the preconditions and the ETag.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<Results<Ok<TemplateChange>, ProblemHttpResult>> Rollback(
        string key, TemplateRollbackRequest body, CommunicationDbContext db, TemplatePublisher publisher, ClaimsPrincipal user, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors()
            .When(body?.Version is null or < 1, "version", "version is required: the number of the version to publish again.");
        CheckComment(body?.Comment, errors);
        if (!errors.IsEmpty)
        {
            return Problems.Validation(errors.ToDictionary());
        }

        var found = await FindAsync(db, key, body!.Version, cancellationToken);
        if (found.Problem is not null)
        {
            return found.Problem;
        }

        var old = found.Version!;
        var comment = string.IsNullOrWhiteSpace(body.Comment) ? $"Rollback to version {old.Version}" : body.Comment;
        var outcome = await publisher.PublishAsync(
            new TemplatePublishRequest(key, TemplateContent.Deserialize(old.Content), comment, Callers.AuthorOf(user), TemplateOrigin.Rollback, old.Version, VersionPrecondition.Of(http.Request)),
            cancellationToken);
        return Answer(outcome, key, http) switch
        {
            { Result: Ok<TemplateChange> ok } => ok,
            { Result: ProblemHttpResult problem } => problem,
            var other => throw new InvalidOperationException($"A rollback cannot answer {other.Result.GetType().Name}."),
        };
    }

    /// <summary>Renders a template (stored, or a submitted draft) in one language against the sample model or a given one; nothing is saved or sent.</summary>
    /// <remarks>
    /// Without `languages`, the stored template renders (published, or `version`); with `languages`, the draft
    /// does (validated as for PUT: **422** naming line and column). `language` picks the version a reader in that
    /// language gets (its primary subtag, then `en`). `model` is plain JSON shaped like templates/sample-model.json;
    /// without it the sample model is used. `caseId` renders a real case's data instead (its customer, feedback and
    /// case, in the customer's language unless `language` is given), exactly as a message to that customer would.
    /// </remarks>
    /// <param name="key">The template's key.</param>
    /// <param name="body">Language, version or draft, and model.</param>
    /// <param name="db">The template store.</param>
    /// <param name="renderer">Renders.</param>
    /// <param name="validator">Checks a draft.</param>
    /// <param name="cases">Reads a real case's data for <c>caseId</c>.</param>
    /// <param name="models">Builds the model from it.</param>
    /// <param name="sample">The sample model.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<Results<Ok<TemplatePreview>, ProblemHttpResult>> Preview(
        string key,
        TemplatePreviewRequest body,
        CommunicationDbContext db,
        TemplateRenderer renderer,
        TemplateValidator validator,
        SampleModel sample,
        CaseSubjects cases,
        MessageModels models,
        CancellationToken cancellationToken)
    {
        var errors = new FieldErrors()
            .When(body?.Model is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null or JsonValueKind.Undefined) }, "model", "model is a JSON object shaped like the sample model.")
            .When(body?.Language?.Length > 35, "language", "language is a language tag such as en, de or pt-BR.")
            .When(body?.CaseId is not null && body.Model is { ValueKind: JsonValueKind.Object }, "caseId", "Give caseId or model, not both.");
        if (!errors.IsEmpty)
        {
            return Problems.Validation(errors.ToDictionary());
        }

        IReadOnlyDictionary<string, TemplateParts> languages;
        int? version = null;
        if (body!.Languages is { } draft)
        {
            var problems = validator.Validate(draft, cancellationToken);
            if (problems.Count > 0)
            {
                return Rejected(problems);
            }

            languages = draft;
        }
        else
        {
            var found = await FindAsync(db, key, body.Version, cancellationToken);
            if (found.Problem is not null)
            {
                return found.Problem;
            }

            languages = TemplateContent.Deserialize(found.Version!.Content);
            version = found.Version.Version;
        }

        ScriptObject? caseModel = null;
        var preferred = body.Language;
        if (body.CaseId is { } caseId)
        {
            var subject = await cases.SubjectAsync(caseId, cancellationToken);
            if (subject is null)
            {
                return Problems.Validation(new Dictionary<string, string[]> { ["caseId"] = [$"No case with id '{caseId}'."] });
            }

            caseModel = models.Create(subject with { UnsubscribeUrl = "https://example.invalid/u/preview" });
            preferred ??= subject.Customer?.Language;
        }

        var language = TemplateLanguages.Choose(languages.Keys.ToList(), preferred);
        try
        {
            var model = caseModel ?? (body.Model is { ValueKind: JsonValueKind.Object } given ? TemplateModel.FromJson(given) : sample.Create());
            var message = renderer.Render(languages[language].ToMessage(), model, cancellationToken);
            return TypedResults.Ok(new TemplatePreview(key, version, language, message.Subject, message.Html, message.Text));
        }
        catch (ArgumentException e)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["model"] = [e.Message] });
        }
        catch (TemplateException e)
        {
            return Rejected(e.Errors.Select(x => new TemplateProblem(language, "", x.Line, x.Column, x.Message)).ToList());
        }
    }

    private static Results<Created<TemplateChange>, Ok<TemplateChange>, ProblemHttpResult> Answer(TemplatePublishOutcome outcome, string key, HttpContext http)
    {
        switch (outcome.Status)
        {
            case TemplatePublishStatus.Created or TemplatePublishStatus.Published or TemplatePublishStatus.Unchanged:
                var change = new TemplateChange(outcome.Status != TemplatePublishStatus.Unchanged, TemplateDetail.Of(outcome.Template!, outcome.Version!));
                http.Response.Headers.ETag = VersionPrecondition.ETagOf(outcome.Template!.PublishedVersion);
                return outcome.Status == TemplatePublishStatus.Created
                    ? TypedResults.Created($"/api/v1/templates/{Uri.EscapeDataString(key)}", change)
                    : TypedResults.Ok(change);
            case TemplatePublishStatus.PreconditionFailed:
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status412PreconditionFailed,
                    title: "Precondition failed",
                    detail: outcome.Template is null
                        ? $"Template '{key}' does not exist, so If-Match cannot match."
                        : $"Template '{key}' is at version {outcome.Template.PublishedVersion} (ETag \"{outcome.Template.PublishedVersion}\"); GET it, apply your change to it and save again.",
                    type: ProblemBase + "precondition-failed",
                    extensions: new Dictionary<string, object?> { ["code"] = "precondition-failed", ["publishedVersion"] = outcome.Template?.PublishedVersion });
            case TemplatePublishStatus.Invalid:
                return Rejected(outcome.Problems!);
            default:
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status409Conflict,
                    title: "Conflict",
                    detail: $"Template '{key}' kept changing while this save was checked; try again.",
                    type: ProblemBase + "concurrent-change",
                    extensions: new Dictionary<string, object?> { ["code"] = "concurrent-change" });
        }
    }

    /// <summary>422 naming each language, part, line and column: <c>errors</c> (field → messages) plus <c>problems</c>.</summary>
    private static ProblemHttpResult Rejected(IReadOnlyList<TemplateProblem> problems)
    {
        var fields = problems.GroupBy(p => p.Field, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(p => $"Line {p.Line}, column {p.Column}: {p.Message}").ToArray(), StringComparer.Ordinal);
        var first = problems[0];
        return TypedResults.Problem(
            statusCode: StatusCodes.Status422UnprocessableEntity,
            title: "Validation failed",
            detail: $"{first.Field}, line {first.Line}, column {first.Column}: {first.Message}",
            type: ProblemBase + "template-invalid",
            extensions: new Dictionary<string, object?>
            {
                ["code"] = "template-invalid",
                ["errors"] = fields,
                ["problems"] = problems.Select(p => new TemplateProblemResponse(p.Language, p.Part, p.Line, p.Column, p.Message)).ToList(),
            });
    }

    private static async Task<(TemplateRecord? Template, TemplateVersionRecord? Version, ProblemHttpResult? Problem)> FindAsync(
        CommunicationDbContext db, string key, int? version, CancellationToken cancellationToken)
    {
        var template = await db.Templates.AsNoTracking().FirstOrDefaultAsync(t => t.Key == key, cancellationToken);
        if (template is null)
        {
            return (null, null, Problems.NotFound("template", key));
        }

        var number = version ?? template.PublishedVersion;
        var found = await db.TemplateVersions.AsNoTracking().FirstOrDefaultAsync(v => v.Key == key && v.Version == number, cancellationToken);
        return found is null
            ? (template, null, TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"Template '{key}' has no version {number}; it has versions 1 to {template.LatestVersion}."))
            : (template, found, null);
    }

    private static void CheckKey(string key, FieldErrors errors) =>
        errors.When(!TemplateSeeds.KeyPattern().IsMatch(key), "key", "A template's key uses lower-case letters, digits and '-', starts with a letter, and has 2 to 64 characters.");

    private static void CheckComment(string? comment, FieldErrors errors) =>
        errors.When(comment?.Length > CommunicationDbContext.MaxCommentLength, "comment", $"comment must be at most {CommunicationDbContext.MaxCommentLength} characters.");
}
