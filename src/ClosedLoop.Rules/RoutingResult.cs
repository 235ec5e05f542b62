using System.Text.Json.Serialization;

namespace ClosedLoop.Rules;

/// <summary>
/// The outcome of evaluating every published rule set for one input: the merged decision and why. Plain data:
/// serialise it as JSON to store it with the item or to put it in an event.
/// </summary>
public sealed record RoutingResult
{
    /// <summary>The merged decision.</summary>
    public required RuleDecision Decision { get; init; }

    /// <summary>True when the documented default route was used instead of (part of) the rules' decision.</summary>
    public bool Fallback { get; init; }

    /// <summary>Why the default route was used, when <see cref="Fallback"/>.</summary>
    public string? FallbackReason { get; init; }

    /// <summary>The stamp of the catalog that was evaluated.</summary>
    public required string CatalogStamp { get; init; }

    /// <summary>Every published rule set in evaluation order, with what each rule did.</summary>
    public required IReadOnlyList<RuleSetTrace> RuleSets { get; init; }

    /// <summary>Wall-clock time the evaluation took, in milliseconds.</summary>
    public double ElapsedMilliseconds { get; init; }
}

/// <summary>
/// Decision property name → value. Values are <see cref="bool"/> (flag), <see cref="string"/> (text, choice),
/// <see cref="int"/> (integer) or <c>string[]</c> (list). A property no rule set is absent.
/// </summary>
/// <param name="Values">The decided values by property name.</param>
public sealed record RuleDecision(IReadOnlyDictionary<string, object> Values)
{
    /// <summary>Nothing decided.</summary>
    public static RuleDecision Empty { get; } = new(new Dictionary<string, object>(StringComparer.Ordinal));

    /// <summary>The flag's value, or null when no rule set it.</summary>
    public bool? Flag(string name) => Values.TryGetValue(name, out var v) && v is bool b ? b : null;

    /// <summary>The text or choice value, or null when no rule set it.</summary>
    public string? Text(string name) => Values.TryGetValue(name, out var v) ? v as string : null;

    /// <summary>The integer value, or null when no rule set it.</summary>
    public int? Integer(string name) => Values.TryGetValue(name, out var v) && v is int i ? i : null;

    /// <summary>The list's values (empty when no rule added any).</summary>
    public IReadOnlyList<string> List(string name) => Values.TryGetValue(name, out var v) && v is string[] l ? l : [];
}

/// <summary>What happened to one rule set while routing one input.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RuleSetOutcome>))]
public enum RuleSetOutcome
{
    /// <summary>Every enabled rule ran (some may have recorded errors).</summary>
    Evaluated,

    /// <summary>The time budget ran out while this set was running; the item fell back.</summary>
    TimedOut,

    /// <summary>Not run: too many of its evaluations ran away, so it is suspended until replaced; the item fell back.</summary>
    Suspended,

    /// <summary>Not run: the published JSON could not be compiled; the item fell back.</summary>
    NotLoaded,

    /// <summary>Not run: an earlier set timed out, was suspended or failed.</summary>
    Skipped,

    /// <summary>The engine failed unexpectedly while running it; the item fell back.</summary>
    Failed,
}

/// <summary>One rule set's part in a routing.</summary>
/// <param name="Name">The rule set's name.</param>
/// <param name="Version">The version that was evaluated.</param>
/// <param name="Order">Its place in the evaluation order.</param>
/// <param name="Outcome">What happened.</param>
/// <param name="Error">Why it did not evaluate, when it did not.</param>
/// <param name="Rules">Every enabled rule, nested rules after their parent, in evaluation order.</param>
public sealed record RuleSetTrace(string Name, int Version, int Order, RuleSetOutcome Outcome, string? Error, IReadOnlyList<RuleTrace> Rules);

/// <summary>One rule's result.</summary>
/// <param name="Name">The rule's name.</param>
/// <param name="Path">Names from the top-level rule down (<c>parent/child</c>).</param>
/// <param name="Success">Whether its expression (or its nested rules, with its operator) held.</param>
/// <param name="Matched">Whether it and every rule above it held: only matched rules contribute decisions.</param>
/// <param name="Error">The exception message when its expression failed to run (it then counts as not held).</param>
/// <param name="Contributions">What it contributed to the decision, when matched.</param>
public sealed record RuleTrace(string Name, string Path, bool Success, bool Matched, string? Error, IReadOnlyList<DecisionContribution> Contributions)
{
    /// <summary>The rule set its rule came from through <c>WorkflowsToInject</c>, or null for its own rules.</summary>
    public string? InjectedFrom { get; init; }

    /// <summary>The rule's <c>SuccessEvent</c> when it held, its <c>ErrorMessage</c> when it did not.</summary>
    public string? Message { get; init; }

    /// <summary>The output of its OnSuccess/OnFailure action (JSON, at most 1,000 characters), if it ran one.</summary>
    public string? ActionOutput { get; init; }

    /// <summary>The action's exception message, if its action failed.</summary>
    public string? ActionError { get; init; }
}

/// <summary>Whether a matched rule's value made it into the decision.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ContributionStatus>))]
public enum ContributionStatus
{
    /// <summary>The value is in the decision (for lists: at least one value was new).</summary>
    Applied,

    /// <summary>An earlier rule had already set this first-wins property; its value stands.</summary>
    Overridden,

    /// <summary>Every value of this list contribution was already in the list.</summary>
    Duplicate,
}

/// <summary>One decision property a matched rule set.</summary>
/// <param name="Property">The decision property.</param>
/// <param name="Value">The rule's value (<c>string[]</c> for lists).</param>
/// <param name="Status">Whether it made it into the decision.</param>
/// <param name="By">For <see cref="ContributionStatus.Overridden"/>: the rule whose value stands, as <c>ruleSet:path</c>.</param>
public sealed record DecisionContribution(string Property, object Value, ContributionStatus Status, string? By = null);
