using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ClosedLoop.Rules.Store.Data;
using ClosedLoop.SharedKernel;
using ClosedLoop.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Net.Http.Headers;

namespace ClosedLoop.Rules.Store.Api;

/// <summary>The admin API over the rule-set store: read, save, history, rollback, dry run.</summary>
internal static partial class RuleSetEndpoints
{
    private const string ProblemBase = "https://closedloop.dev/problems/";

    /// <summary>A rules input's name as the store keeps it.</summary>
    private const int MaxInputLength = 50;

    /// <summary>Lists the rule sets in evaluation order, each with its published version.</summary>
    /// <remarks>Sets run by `order` (ascending, ties by name); the first matching rule decides first-wins properties, so order matters.</remarks>
    /// <param name="query">Paging.</param>
    /// <param name="input">Only the sets of this rules input (e.g. feedback).</param>
    /// <param name="db">The rules store.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<Results<Ok<PagedList<RuleSetSummary>>, ProblemHttpResult>> List(
        [AsParameters] PageQuery query, string? input, RulesDbContext db, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var page = query.Validate(errors);
        if (!errors.IsEmpty)
        {
            return Problems.Validation(errors.ToDictionary());
        }

        var sets = db.RuleSets.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(input))
        {
            sets = sets.Where(s => s.Input == input);
        }

        var total = await sets.LongCountAsync(cancellationToken);
        var items = await sets.OrderBy(s => s.Input).ThenBy(s => s.Order).ThenBy(s => s.Name)
            .Skip(page.Skip).Take(page.PageSize)
            .Select(s => new RuleSetSummary(s.Name, s.Input, s.Order, s.PublishedVersion, s.LatestVersion, s.UpdatedAt, s.UpdatedBy, s.RuleCount))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new PagedList<RuleSetSummary>(items, page.Page, page.PageSize, total));
    }

    /// <summary>One rule set: the published version (or `?version=N`) with its Workflow JSON exactly as saved.</summary>
    /// <remarks>
    /// `workflow` is the text as it was submitted, byte for byte, embedded as JSON. The `ETag` header is the
    /// version (`"3"`); send it back as `If-Match` when you save, so a concurrent change is not overwritten.
    /// `GET …/{name}/workflow` returns the text alone, ready to edit and PUT back.
    /// </remarks>
    /// <param name="name">The rule set's name.</param>
    /// <param name="version">A version other than the published one.</param>
    /// <param name="db">The rules store.</param>
    /// <param name="http">For the ETag header.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<Results<Ok<RuleSetDetail>, ProblemHttpResult>> Get(
        string name, int? version, RulesDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        var found = await FindAsync(db, name, version, cancellationToken);
        if (found.Problem is not null)
        {
            return found.Problem;
        }

        http.Response.Headers.ETag = VersionPrecondition.ETagOf(found.Version!.Version);
        return TypedResults.Ok(RuleSetDetail.Of(found.Set!, found.Version));
    }

    /// <summary>The Workflow JSON of a rule set alone (published, or `?version=N`), exactly as saved.</summary>
    /// <remarks>
    /// For editing: save it to a file, change it, and PUT it back with the `ETag` as `If-Match`:
    /// ```
    /// curl -s -D headers.txt -H "X-Api-Key: $ADMIN_KEY" http://localhost:5080/api/v1/rule-sets/routing/workflow > routing.json
    /// curl -X PUT -H "X-Api-Key: $ADMIN_KEY" -H 'Content-Type: application/json' -H 'If-Match: "1"' \
    ///   --data-binary @routing.json 'http://localhost:5080/api/v1/rule-sets/routing?comment=SLA%20for%20detractors'
    /// ```
    /// </remarks>
    /// <param name="name">The rule set's name.</param>
    /// <param name="version">A version other than the published one.</param>
    /// <param name="db">The rules store.</param>
    /// <param name="http">For the ETag header.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<Results<ContentHttpResult, ProblemHttpResult>> GetWorkflow(
        string name, int? version, RulesDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        var found = await FindAsync(db, name, version, cancellationToken);
        if (found.Problem is not null)
        {
            return found.Problem;
        }

        http.Response.Headers.ETag = VersionPrecondition.ETagOf(found.Version!.Version);
        return TypedResults.Text(found.Version.Json, "application/json; charset=utf-8");
    }

    /// <summary>Saves a rule set: the body is RulesEngine Workflow JSON, validated, then published as a new version.</summary>
    /// <remarks>
    /// The body is Microsoft RulesEngine's Workflow JSON, unchanged (`WorkflowName` must equal `{name}`; nested
    /// rules, LocalParams, GlobalParams, Actions, Enabled, WorkflowsToInject and Properties as RulesEngine
    /// defines them; see rules/README.md for what rules read and decide). It is stored exactly as sent.
    ///
    /// It is checked before anything is stored: schema, compilation, the expression screen (no `GetType`,
    /// `typeof`, reflection, files, environment, processes, unbounded `Enumerable.Range`/`Repeat`, padding or
    /// format precision, nothing that builds strings or collections out of proportion to the item), limits
    /// (names 100 characters, messages 500, notes 1,000, 2,000 characters per expression, 500 rules, depth 6; see
    /// rules/README.md), decision properties, injections, and a dry run on sample inputs. A rejection is **422** with `errors` keyed `rules/&lt;rule path&gt;.&lt;field&gt;` and `problems`
    /// giving each rule, field, reason code and message.
    ///
    /// Accepted, it becomes the next version and is published at once: **201** for a new set, **200** for a new
    /// version. The same text and order as the published version is **200** with `changed: false` and adds
    /// nothing. Send `If-Match` with the ETag you read to refuse the save (**412**) if someone published since;
    /// `If-None-Match: *` saves only if the set does not exist yet.
    /// </remarks>
    /// <param name="name">The rule set's name: letters, digits, '.', '_' and '-', at most 100.</param>
    /// <param name="order">Its evaluation order (0–999999). Default: the set's current order; for a new set, after every other set.</param>
    /// <param name="comment">Why (kept in the history; at most 500 characters).</param>
    /// <param name="input">For a new set when several rules inputs are registered: the one it reads (e.g. feedback).</param>
    /// <param name="request">The Workflow JSON.</param>
    /// <param name="publisher">Validates and publishes.</param>
    /// <param name="user">The caller.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<Results<Created<RuleSetChange>, Ok<RuleSetChange>, ProblemHttpResult>> Put(
        string name,
        int? order,
        string? comment,
        string? input,
        HttpRequest request,
        RuleSetPublisher publisher,
        ClaimsPrincipal user,
        CancellationToken cancellationToken)
    {
        if (!request.HasJsonContentType())
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported media type",
                detail: $"Send the Workflow JSON as application/json; got '{request.ContentType}'.");
        }

        var errors = new FieldErrors();
        CheckName(name, errors);
        CheckOrderAndComment(order, comment, errors);
        CheckInput(input, errors);
        var json = await ReadBodyAsync(request, cancellationToken);
        errors.When(string.IsNullOrWhiteSpace(json), "body", "The body is empty; send the rule set's Workflow JSON.");
        if (!errors.IsEmpty)
        {
            return Problems.Validation(errors.ToDictionary());
        }

        var outcome = await publisher.PublishAsync(
            new PublishRequest(name, json, order, comment, Callers.AuthorOf(user), RuleSetOrigin.Put, null, input, VersionPrecondition.Of(request)),
            cancellationToken);
        return Answer(outcome, name, request.HttpContext);
    }

    /// <summary>Every version of a rule set, newest first (texts via GET with `?version=N`).</summary>
    /// <param name="name">The rule set's name.</param>
    /// <param name="query">Paging.</param>
    /// <param name="db">The rules store.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<Results<Ok<PagedList<RuleSetVersionSummary>>, ProblemHttpResult>> Versions(
        string name, [AsParameters] PageQuery query, RulesDbContext db, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var page = query.Validate(errors);
        if (!errors.IsEmpty)
        {
            return Problems.Validation(errors.ToDictionary());
        }

        var set = await db.RuleSets.AsNoTracking().FirstOrDefaultAsync(s => s.Name == name, cancellationToken);
        if (set is null)
        {
            return Problems.NotFound("rule set", name);
        }

        var published = set.PublishedVersion;
        var items = await db.Versions.AsNoTracking().Where(v => v.Name == name)
            .OrderByDescending(v => v.Version)
            .Skip(page.Skip).Take(page.PageSize)
            .Select(v => new RuleSetVersionSummary(v.Version, v.Version == published, v.Author, v.CreatedAt, v.Comment, v.Origin, v.RolledBackFrom, v.Sha256, v.Order, v.RuleCount))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new PagedList<RuleSetVersionSummary>(items, page.Page, page.PageSize, set.LatestVersion));
    }

    /// <summary>Publishes an older version again, as a new version.</summary>
    /// <remarks>
    /// The old version's text and order are validated against the current engine and catalog first (a set it
    /// injects may have changed since): **422** if they no longer pass. Then they are published as a new version
    /// (origin `rollback`, `rolledBackFrom` = the old number); history is never rewritten. Honours `If-Match`.
    /// Rolling back to what is already published is **200** with `changed: false`.
    /// </remarks>
    /// <param name="name">The rule set's name.</param>
    /// <param name="body">The version to republish, and why.</param>
    /// <param name="db">The rules store.</param>
    /// <param name="publisher">Validates and publishes.</param>
    /// <param name="user">The caller.</param>
    /// <param name="http">For the preconditions.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<Results<Ok<RuleSetChange>, ProblemHttpResult>> Rollback(
        string name,
        RollbackRequest body,
        RulesDbContext db,
        RuleSetPublisher publisher,
        ClaimsPrincipal user,
        HttpContext http,
        CancellationToken cancellationToken)
    {
        var errors = new FieldErrors()
            .When(body?.Version is null or < 1, "version", "version is required: the number of the version to publish again.");
        CheckOrderAndComment(null, body?.Comment, errors);
        if (!errors.IsEmpty)
        {
            return Problems.Validation(errors.ToDictionary());
        }

        var found = await FindAsync(db, name, body!.Version, cancellationToken);
        if (found.Problem is not null)
        {
            return found.Problem;
        }

        var old = found.Version!;
        var comment = string.IsNullOrWhiteSpace(body.Comment) ? $"Rollback to version {old.Version}" : body.Comment;
        var outcome = await publisher.PublishAsync(
            new PublishRequest(name, old.Json, old.Order, comment, Callers.AuthorOf(user), RuleSetOrigin.Rollback, old.Version, null, VersionPrecondition.Of(http.Request)),
            cancellationToken);
        return Answer(outcome, name, http) switch
        {
            { Result: Ok<RuleSetChange> ok } => ok,
            { Result: ProblemHttpResult problem } => problem,
            var other => throw new InvalidOperationException($"A rollback cannot answer {other.Result.GetType().Name}."),
        };
    }

    /// <summary>Dry-runs a sample input through the published rule sets, or with a candidate Workflow JSON in place of this set.</summary>
    /// <remarks>
    /// Nothing is saved and no incident is raised. The engine is refreshed from the store first, so the result is
    /// what live routing would decide now. Without `workflow`, every published set runs as it is; with it, the
    /// candidate (validated first: **422** as for PUT) replaces the published set named `{name}` (or joins the
    /// catalog if there is none yet, at `?order=`). The answer is the decision and the engine's full explanation.
    /// </remarks>
    /// <param name="name">The rule set's name.</param>
    /// <param name="body">The sample input, and optionally the candidate Workflow JSON.</param>
    /// <param name="order">For a candidate: its evaluation order (default: the set's, or after every other set).</param>
    /// <param name="input">For a candidate of a new set when several inputs are registered: its input.</param>
    /// <param name="db">The rules store.</param>
    /// <param name="inputs">The registered rules inputs.</param>
    /// <param name="publisher">Knows the default order.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<Results<Ok<RuleSetTestResponse>, ProblemHttpResult>> Test(
        string name,
        RuleSetTestRequest body,
        int? order,
        string? input,
        RulesDbContext db,
        RuleInputs inputs,
        RuleSetPublisher publisher,
        CancellationToken cancellationToken)
    {
        var errors = new FieldErrors()
            .When(body?.Input is not { ValueKind: JsonValueKind.Object }, "input", "input is required: a JSON object with the members the rules read.");
        CheckOrderAndComment(order, null, errors);
        CheckInput(input, errors);
        if (!errors.IsEmpty)
        {
            return Problems.Validation(errors.ToDictionary());
        }

        var set = await db.RuleSets.AsNoTracking().FirstOrDefaultAsync(s => s.Name == name, cancellationToken);
        var candidateJson = body!.Workflow is { ValueKind: not JsonValueKind.Null } workflow ? workflow.GetRawText() : null;
        if (set is null && candidateJson is null)
        {
            return Problems.NotFound("rule set", name);
        }

        string? inputProblem = null;
        var target = set is null ? inputs.Choose(input, out inputProblem) : inputs.Find(set.Input);
        if (target is null)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["input"] = [inputProblem ?? $"The input '{set!.Input}' is not registered in this host."] });
        }

        RuleSetDefinition? candidate = null;
        if (candidateJson is not null)
        {
            var candidateOrder = order ?? set?.Order ?? await publisher.DefaultOrderAsync(target.Name, cancellationToken);
            candidate = new RuleSetDefinition(name, (set?.LatestVersion ?? 0) + 1, candidateOrder, candidateJson);
        }

        var dryRun = await target.TestAsync(body.Input!.Value, candidate, cancellationToken);
        if (dryRun.InputError is not null)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["input"] = [dryRun.InputError] });
        }

        var result = dryRun.Result!;
        if (result.Validation is { IsValid: false } invalid)
        {
            return Rejected(invalid);
        }

        var routing = result.Routing!;
        return TypedResults.Ok(new RuleSetTestResponse(routing.Decision.Values, routing, result.Validation?.Warnings ?? []));
    }

    /// <summary>Incidents the rules engine reported (time-outs, suspensions, sets that failed to load), newest first.</summary>
    /// <remarks>Kept for 30 days (`Rules:IncidentRetention`). Each is also logged and counted on the `ClosedLoop.Rules` meter.</remarks>
    /// <param name="query">Paging.</param>
    /// <param name="ruleSet">Only incidents of this rule set.</param>
    /// <param name="kind">Only this kind: Timeout, Suspended, LoadFailed or Failed.</param>
    /// <param name="from">Only incidents at or after this time (UTC).</param>
    /// <param name="to">Only incidents before this time (UTC).</param>
    /// <param name="db">The rules store.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<Results<Ok<PagedList<RuleIncidentResponse>>, ProblemHttpResult>> Incidents(
        [AsParameters] PageQuery query,
        string? ruleSet,
        string? kind,
        DateTimeOffset? from,
        DateTimeOffset? to,
        RulesDbContext db,
        CancellationToken cancellationToken)
    {
        RuleIncidentKind? wanted = null;
        var errors = new FieldErrors().When(from > to, "from", "from must not be after to.");
        if (kind is not null)
        {
            if (Enum.TryParse<RuleIncidentKind>(kind, ignoreCase: true, out var parsed) && !int.TryParse(kind, out _))
            {
                wanted = parsed;
            }
            else
            {
                errors.Add("kind", $"kind must be one of: {string.Join(", ", Enum.GetNames<RuleIncidentKind>())}.");
            }
        }

        var page = query.Validate(errors);
        if (!errors.IsEmpty)
        {
            return Problems.Validation(errors.ToDictionary());
        }

        var incidents = db.Incidents.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(ruleSet))
        {
            incidents = incidents.Where(i => i.RuleSet == ruleSet);
        }

        if (wanted is { } k)
        {
            incidents = incidents.Where(i => i.Kind == k);
        }

        if (from is { } start)
        {
            var utc = start.ToUniversalTime();
            incidents = incidents.Where(i => i.At >= utc);
        }

        if (to is { } end)
        {
            var utc = end.ToUniversalTime();
            incidents = incidents.Where(i => i.At < utc);
        }

        var total = await incidents.LongCountAsync(cancellationToken);
        var items = await incidents.OrderByDescending(i => i.At).ThenByDescending(i => i.Id)
            .Skip(page.Skip).Take(page.PageSize)
            .Select(i => new RuleIncidentResponse(i.Id, i.At, i.Kind, i.Input, i.RuleSet, i.Version, i.Message))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new PagedList<RuleIncidentResponse>(items, page.Page, page.PageSize, total));
    }

    private static Results<Created<RuleSetChange>, Ok<RuleSetChange>, ProblemHttpResult> Answer(PublishOutcome outcome, string name, HttpContext http)
    {
        switch (outcome.Status)
        {
            case PublishStatus.Created or PublishStatus.Published or PublishStatus.Unchanged:
                var change = new RuleSetChange(outcome.Status != PublishStatus.Unchanged, RuleSetDetail.Of(outcome.Set!, outcome.Version!), outcome.Validation?.Warnings ?? []);
                http.Response.Headers.ETag = VersionPrecondition.ETagOf(outcome.Set!.PublishedVersion);
                return outcome.Status == PublishStatus.Created
                    ? TypedResults.Created($"/api/v1/rule-sets/{Uri.EscapeDataString(name)}", change)
                    : TypedResults.Ok(change);
            case PublishStatus.PreconditionFailed:
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status412PreconditionFailed,
                    title: "Precondition failed",
                    detail: outcome.Set is null
                        ? $"Rule set '{name}' does not exist, so If-Match cannot match."
                        : $"Rule set '{name}' is at version {outcome.Set.PublishedVersion} (ETag \"{outcome.Set.PublishedVersion}\"); GET it, apply your change to it and save again.",
                    type: ProblemBase + "precondition-failed",
                    extensions: new Dictionary<string, object?> { ["code"] = "precondition-failed", ["publishedVersion"] = outcome.Set?.PublishedVersion });
            case PublishStatus.Invalid:
                return Rejected(outcome.Validation!);
            case PublishStatus.InputProblem:
                return Problems.Validation(new Dictionary<string, string[]> { ["input"] = [outcome.Problem!] });
            default:
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status409Conflict,
                    title: "Conflict",
                    detail: outcome.Problem,
                    type: ProblemBase + "concurrent-change",
                    extensions: new Dictionary<string, object?> { ["code"] = "concurrent-change" });
        }
    }

    /// <summary>
    /// 422 naming every rule and reason: <c>errors</c> (field → messages, as every validation problem has) plus
    /// <c>problems</c> with each rule path, field and reason code. 503 when only the dry-run capacity is exhausted.
    /// </summary>
    private static ProblemHttpResult Rejected(RuleSetValidation validation)
    {
        if (validation.Errors.All(e => e.Code == "busy"))
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Busy",
                detail: validation.Errors[0].Message,
                type: ProblemBase + "rules-busy",
                extensions: new Dictionary<string, object?> { ["code"] = "rules-busy" });
        }

        var error = validation.ToError();
        return TypedResults.Problem(
            statusCode: StatusCodes.Status422UnprocessableEntity,
            title: "Validation failed",
            detail: error.Message,
            type: ProblemBase + "rule-set-invalid",
            extensions: new Dictionary<string, object?>
            {
                ["code"] = "rule-set-invalid",
                ["errors"] = error.Fields,
                ["problems"] = validation.Errors,
                ["warnings"] = validation.Warnings,
            });
    }

    private static async Task<(RuleSetRecord? Set, RuleSetVersionRecord? Version, ProblemHttpResult? Problem)> FindAsync(
        RulesDbContext db, string name, int? version, CancellationToken cancellationToken)
    {
        var set = await db.RuleSets.AsNoTracking().FirstOrDefaultAsync(s => s.Name == name, cancellationToken);
        if (set is null)
        {
            return (null, null, Problems.NotFound("rule set", name));
        }

        var number = version ?? set.PublishedVersion;
        var found = await db.Versions.AsNoTracking().FirstOrDefaultAsync(v => v.Name == name && v.Version == number, cancellationToken);
        return found is null
            ? (set, null, TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"Rule set '{name}' has no version {number}; it has versions 1 to {set.LatestVersion}."))
            : (set, found, null);
    }

    /// <summary>The body as text, exactly: the store keeps what was sent, so it is never parsed into a model and written back.</summary>
    private static async Task<string> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return await reader.ReadToEndAsync(cancellationToken);
    }

    private static void CheckName(string name, FieldErrors errors) =>
        errors.When(!NamePattern().IsMatch(name), "name", "A rule set's name uses letters, digits, '.', '_' and '-', starts with a letter or digit, and has at most 100 characters.");

    private static void CheckOrderAndComment(int? order, string? comment, FieldErrors errors) => errors
        .When(order is < 0 or > RuleSetPublisher.MaxOrder, "order", $"order must be between 0 and {RuleSetPublisher.MaxOrder}.")
        .When(comment?.Length > RulesDbContext.MaxCommentLength, "comment", $"comment must be at most {RulesDbContext.MaxCommentLength} characters.");

    private static void CheckInput(string? input, FieldErrors errors) =>
        errors.When(input?.Length > MaxInputLength, "input", $"input names a registered rules input (e.g. feedback), at most {MaxInputLength} characters.");

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
    private static partial Regex NamePattern();
}
