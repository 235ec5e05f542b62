using System.Collections.Concurrent;
using RulesEngine.Models;

namespace ClosedLoop.Rules.Evaluation;

/// <summary>
/// One rule of a compiled set, with its decision values read once at compile time, and the parts of its
/// explanation that are the same for every item, built once and shared (they are immutable).
/// </summary>
internal sealed class RuleNode
{
    private DecisionContribution[]? _applied;
    private DecisionContribution[]? _duplicate;
    private RuleTrace? _notHeld;
    private RuleTrace? _heldUnderUnmatched;
    private RuleTrace? _matchedWithoutDecisions;
    private RuleTrace? _matchedAllApplied;
    private ConcurrentDictionary<(int Index, string Winner), DecisionContribution>? _overridden;
    private InternTable<DecisionContribution, RuleTrace>? _matched;

    public required Rule Rule { get; init; }

    public required string Path { get; init; }

    /// <summary><c>ruleSet:path</c>, as an overridden contribution names the rule whose value stands; built once here, not per item.</summary>
    public required string By { get; init; }

    public required int Depth { get; init; }

    public string? InjectedFrom { get; init; }

    /// <summary>The rule's <c>Properties</c> that are decisions, in the order written (annotations dropped).</summary>
    public required IReadOnlyList<(DecisionProperty Property, object Value)> Decisions { get; init; }

    public List<RuleNode> Children { get; } = [];

    /// <summary>
    /// This rule's trace when it raised no error, ran no action and contributed nothing: then it depends only on
    /// whether it held and matched, so one immutable instance serves every item (most rules, most items).
    /// </summary>
    public RuleTrace Plain(bool success, bool matched) => (success, matched) switch
    {
        (false, _) => _notHeld ??= Trace(false, false),
        (true, false) => _heldUnderUnmatched ??= Trace(true, false),
        (true, true) => _matchedWithoutDecisions ??= Trace(true, true),
    };

    /// <summary>This rule's trace when it matched and every value it sets made it into the decision, with nothing else to report.</summary>
    public RuleTrace MatchedAllApplied => _matchedAllApplied ??= Trace(true, true) with { Contributions = AppliedAll() };

    /// <summary>
    /// This rule's trace when it matched with <paramref name="contributions"/> and had nothing else to report:
    /// shared with every item where the same contributions came out (<see cref="InternTable{TPart, TWhole}"/>).
    /// </summary>
    public RuleTrace Matched(DecisionContribution[] contributions) =>
        ReferenceEquals(contributions, _applied) ? MatchedAllApplied
        : (_matched ??= new InternTable<DecisionContribution, RuleTrace>(64)).Intern(contributions, this, static (c, node) => node.Trace(true, true) with { Contributions = c });

    /// <summary>Decision <paramref name="index"/> overridden by the rule <paramref name="winner"/> (its <see cref="By"/>), whose value stands.</summary>
    public DecisionContribution Overridden(int index, string winner) =>
        (_overridden ??= new()).GetOrAdd((index, winner), static (key, node) =>
            new DecisionContribution(node.Decisions[key.Index].Property.Name, node.Decisions[key.Index].Value, ContributionStatus.Overridden, key.Winner), this);

    /// <summary>Decision <paramref name="index"/> as applied: the same for every item, so shared.</summary>
    public DecisionContribution Applied(int index) => AppliedAll()[index];

    /// <summary>Every decision of this rule applied (a rule whose values all made it into the decision).</summary>
    public IReadOnlyList<DecisionContribution> AllApplied => AppliedAll();

    /// <summary>List decision <paramref name="index"/> when every one of its values was already in the list.</summary>
    public DecisionContribution Duplicate(int index) =>
        (_duplicate ??= [.. Decisions.Select(d => new DecisionContribution(d.Property.Name, d.Value, ContributionStatus.Duplicate))])[index];

    /// <summary>Every decision of this rule applied, as the array <see cref="Matched"/> recognises.</summary>
    public DecisionContribution[] AppliedAll() =>
        _applied ??= [.. Decisions.Select(d => new DecisionContribution(d.Property.Name, d.Value, ContributionStatus.Applied))];

    private RuleTrace Trace(bool success, bool matched) => new(Rule.RuleName, Path, success, matched, null, [])
    {
        InjectedFrom = InjectedFrom,
        Message = success ? Rule.SuccessEvent : Rule.ErrorMessage,
    };
}
