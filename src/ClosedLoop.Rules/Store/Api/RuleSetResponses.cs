using System.Text.Json;
using ClosedLoop.Rules.Store.Data;
using ClosedLoop.Web;

namespace ClosedLoop.Rules.Store.Api;

/// <summary>A rule set in the list.</summary>
/// <param name="Name">The rule set's name (its Workflow JSON's WorkflowName).</param>
/// <param name="Input">The rules input it belongs to (e.g. feedback): what its expressions read.</param>
/// <param name="Order">Its place in the evaluation order (ascending, ties by name).</param>
/// <param name="PublishedVersion">The version that routes.</param>
/// <param name="VersionCount">Versions kept (1 to this number).</param>
/// <param name="UpdatedAt">When the published version was published.</param>
/// <param name="UpdatedBy">Who published it.</param>
/// <param name="RuleCount">Rules in the published version, nested rules included.</param>
internal sealed record RuleSetSummary(
    string Name,
    string Input,
    int Order,
    int PublishedVersion,
    int VersionCount,
    DateTimeOffset UpdatedAt,
    string UpdatedBy,
    int RuleCount);

/// <summary>One version of a rule set with its text.</summary>
/// <param name="Name">The rule set's name.</param>
/// <param name="Input">The rules input it belongs to.</param>
/// <param name="Version">This version's number.</param>
/// <param name="Published">Whether this is the version that routes.</param>
/// <param name="PublishedVersion">The version that routes.</param>
/// <param name="VersionCount">Versions kept.</param>
/// <param name="Order">This version's evaluation order.</param>
/// <param name="RuleCount">Rules in this version, nested rules included.</param>
/// <param name="Author">Who saved it (<c>system</c> for a default set).</param>
/// <param name="CreatedAt">When.</param>
/// <param name="Comment">Why, as the author wrote it.</param>
/// <param name="Origin">put, rollback or seed.</param>
/// <param name="RolledBackFrom">For a rollback: the version it republished.</param>
/// <param name="Sha256">SHA-256 of the text (UTF-8), lowercase hex.</param>
/// <param name="Workflow">The RulesEngine Workflow JSON exactly as it was submitted: same members, order, numbers and whitespace.</param>
internal sealed record RuleSetDetail(
    string Name,
    string Input,
    int Version,
    bool Published,
    int PublishedVersion,
    int VersionCount,
    int Order,
    int RuleCount,
    string Author,
    DateTimeOffset CreatedAt,
    string? Comment,
    RuleSetOrigin Origin,
    int? RolledBackFrom,
    string Sha256,
    RawJson Workflow)
{
    public static RuleSetDetail Of(RuleSetRecord set, RuleSetVersionRecord version) => new(
        set.Name,
        set.Input,
        version.Version,
        version.Version == set.PublishedVersion,
        set.PublishedVersion,
        set.LatestVersion,
        version.Order,
        version.RuleCount,
        version.Author,
        version.CreatedAt,
        version.Comment,
        version.Origin,
        version.RolledBackFrom,
        version.Sha256,
        new RawJson(version.Json));
}

/// <summary>The outcome of a save or a rollback.</summary>
/// <param name="Changed">False when the text and order equalled the published version's: no version was added.</param>
/// <param name="RuleSet">The published version afterwards.</param>
/// <param name="Warnings">Accepted, but worth a look (members RulesEngine ignores, rules that failed on a sample input).</param>
internal sealed record RuleSetChange(bool Changed, RuleSetDetail RuleSet, IReadOnlyList<RuleSetProblem> Warnings) : IAuditDetails
{
    string? IAuditDetails.AuditDetails => RuleSet.RolledBackFrom is { } from
        ? $"version {RuleSet.Version} (rolled back to version {from}), order {RuleSet.Order}, sha256 {RuleSet.Sha256}"
        : $"version {RuleSet.Version}, order {RuleSet.Order}, sha256 {RuleSet.Sha256}";

    bool IAuditDetails.AuditChanged => Changed;
}

/// <summary>One version in a rule set's history (without its text: GET the rule set with <c>?version=</c>).</summary>
/// <param name="Version">The version number.</param>
/// <param name="Published">Whether it is the version that routes.</param>
/// <param name="Author">Who saved it.</param>
/// <param name="CreatedAt">When.</param>
/// <param name="Comment">Why.</param>
/// <param name="Origin">put, rollback or seed.</param>
/// <param name="RolledBackFrom">For a rollback: the version it republished.</param>
/// <param name="Sha256">SHA-256 of its text: equal hashes, equal texts.</param>
/// <param name="Order">Its evaluation order.</param>
/// <param name="RuleCount">Its rules, nested included.</param>
internal sealed record RuleSetVersionSummary(
    int Version,
    bool Published,
    string Author,
    DateTimeOffset CreatedAt,
    string? Comment,
    RuleSetOrigin Origin,
    int? RolledBackFrom,
    string Sha256,
    int Order,
    int RuleCount);

/// <summary>Republish an older version.</summary>
/// <param name="Version">The version whose text and order to publish again, as a new version.</param>
/// <param name="Comment">Why (kept with the new version; at most 500 characters).</param>
internal sealed record RollbackRequest(int? Version, string? Comment);

/// <summary>A dry run.</summary>
/// <param name="Input">
/// A sample of the input the rules read (for feedback: <c>score</c>, <c>category</c>, <c>comment</c>,
/// <c>sentiment</c>, <c>topics</c>, <c>attributes</c>, <c>customer.region</c>, …, as in rules/README.md).
/// Members left out are empty: <c>""</c>, 0, empty lists and maps, null where allowed, now for times.
/// </param>
/// <param name="Workflow">Optional: Workflow JSON to try in place of the published set of this name (it is validated first, and not saved).</param>
internal sealed record RuleSetTestRequest(JsonElement? Input, JsonElement? Workflow);

/// <summary>What the rules decided for the sample, and why.</summary>
/// <param name="Decision">Decision property → value (what routing would use).</param>
/// <param name="Explanation">The engine's full result: every set in order with its outcome, every rule with success, match, errors and contributions, and whether the default route was used.</param>
/// <param name="Warnings">For a candidate workflow: what its validation warned about.</param>
internal sealed record RuleSetTestResponse(IReadOnlyDictionary<string, object> Decision, RoutingResult Explanation, IReadOnlyList<RuleSetProblem> Warnings);

/// <summary>An incident the rules engine reported.</summary>
/// <param name="Id">The incident's id.</param>
/// <param name="At">When (UTC).</param>
/// <param name="Kind">Timeout, Suspended, LoadFailed or Failed.</param>
/// <param name="Input">The rules input.</param>
/// <param name="RuleSet">The rule set concerned, when known.</param>
/// <param name="Version">Its version, when known.</param>
/// <param name="Message">What happened.</param>
internal sealed record RuleIncidentResponse(Guid Id, DateTimeOffset At, RuleIncidentKind Kind, string Input, string? RuleSet, int? Version, string Message);
