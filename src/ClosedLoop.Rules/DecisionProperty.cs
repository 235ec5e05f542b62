using System.Text.Json.Serialization;

namespace ClosedLoop.Rules;

/// <summary>What kind of value a decision property holds, and so what a rule's <c>Properties</c> may set it to.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DecisionKind>))]
public enum DecisionKind
{
    /// <summary>JSON <c>true</c> or <c>false</c>.</summary>
    Flag,

    /// <summary>A non-empty string (at most 200 characters).</summary>
    Text,

    /// <summary>One of a fixed list of strings, spelled exactly.</summary>
    Choice,

    /// <summary>A whole JSON number within a range.</summary>
    Integer,

    /// <summary>A string or an array of strings; values from every matching rule are collected.</summary>
    List,
}

/// <summary>How the values of several matching rules combine into one decision.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DecisionMerge>))]
public enum DecisionMerge
{
    /// <summary>
    /// The first matching rule that sets the property wins (rule sets in order, then rules in order, a parent
    /// before its nested rules); later values are recorded as overridden.
    /// </summary>
    FirstWins,

    /// <summary>Every matching rule adds its values; duplicates (ignoring case) are dropped, first-seen order kept.</summary>
    All,
}

/// <summary>One property a rule may set in its <c>Properties</c>, declared by the module that registers the input.</summary>
/// <param name="Name">The key in a rule's <c>Properties</c> (camelCase, e.g. <c>priority</c>).</param>
/// <param name="Kind">The kind of value.</param>
/// <param name="Merge">How values of several matching rules combine (lists merge <see cref="DecisionMerge.All"/>).</param>
public sealed record DecisionProperty(string Name, DecisionKind Kind, DecisionMerge Merge)
{
    /// <summary>For <see cref="DecisionKind.Choice"/>: the allowed values, spelled exactly.</summary>
    public IReadOnlyList<string> Choices { get; init; } = [];

    /// <summary>For <see cref="DecisionKind.Integer"/>: the smallest allowed value.</summary>
    public int Minimum { get; init; } = int.MinValue;

    /// <summary>For <see cref="DecisionKind.Integer"/>: the largest allowed value.</summary>
    public int Maximum { get; init; } = int.MaxValue;

    /// <summary>
    /// What the values name, checked at validation by the <see cref="IDecisionReferenceCheck"/> registered for this
    /// kind (e.g. <c>workflow</c>, <c>team</c>); null when the values name nothing.
    /// </summary>
    public string? References { get; init; }
}
