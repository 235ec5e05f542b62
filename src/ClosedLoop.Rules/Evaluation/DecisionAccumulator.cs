using System.Text.Json;
using RulesEngine.Models;

namespace ClosedLoop.Rules.Evaluation;

/// <summary>
/// Merges matched rules' values into one decision, in evaluation order, and records what each rule contributed:
/// first-wins properties keep the first value and mark later ones overridden; lists collect every value once.
/// </summary>
internal sealed class DecisionAccumulator
{
    private const int MaxActionOutput = 1_000;

    /// <summary>What most rules contribute (they did not match, or set nothing): one shared instance, not one per rule per item.</summary>
    private static readonly IReadOnlyList<DecisionContribution> NoContributions = [];

    // First-wins values with the rule that set them, and lists with the values they hold (ignoring case); both in
    // the order properties were first decided, which is the order the decision lists them in.
    private readonly Dictionary<string, (object Value, string By)> _scalars = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ListValues> _lists = new(StringComparer.Ordinal);

    public IReadOnlyList<string> List(string name) => _lists.TryGetValue(name, out var list) ? list.Values : [];

    public RuleSetTrace Apply(CompiledRuleSet set, List<RuleResultTree> results)
    {
        var traces = new List<RuleTrace>(set.ByRule.Count);
        foreach (var result in results)
        {
            Visit(set, result, true, traces);
        }

        return new RuleSetTrace(set.Name, set.Definition.Version, set.Definition.Order, RuleSetOutcome.Evaluated, null, traces);
    }

    public RuleDecision Decision()
    {
        var values = new Dictionary<string, object>(_scalars.Count + _lists.Count, StringComparer.Ordinal);
        foreach (var (name, (value, _)) in _scalars)
        {
            values[name] = value;
        }

        foreach (var (name, list) in _lists)
        {
            values[name] = list.Values.ToArray();
        }

        return new RuleDecision(values);
    }

    /// <summary>The default route: the fallback's values for every first-wins property, lists kept and extended.</summary>
    public RuleDecision Fallback(RuleDecision fallback)
    {
        var values = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var (name, value) in fallback.Values)
        {
            values[name] = value is string[] extra ? List(name).Concat(extra).Distinct(StringComparer.OrdinalIgnoreCase).ToArray() : value;
        }

        foreach (var (name, list) in _lists)
        {
            values.TryAdd(name, list.Values.ToArray());
        }

        return new RuleDecision(values);
    }

    private void Visit(CompiledRuleSet set, RuleResultTree result, bool parentMatched, List<RuleTrace> traces)
    {
        if (result.Rule is null || !set.ByRule.TryGetValue(result.Rule, out var node))
        {
            return;
        }

        var matched = parentMatched && result.IsSuccess;
        if (string.IsNullOrEmpty(result.ExceptionMessage) && result.ActionResult?.Output is null && result.ActionResult?.Exception is null
            && !(matched && node.Decisions.Count > 0))
        {
            traces.Add(node.Plain(result.IsSuccess, matched));
        }
        else
        {
            traces.Add(new RuleTrace(
                result.Rule.RuleName,
                node.Path,
                result.IsSuccess,
                matched,
                string.IsNullOrEmpty(result.ExceptionMessage) ? null : result.ExceptionMessage,
                matched ? Contributions(node) : NoContributions)
            {
                InjectedFrom = node.InjectedFrom,
                Message = result.IsSuccess ? result.Rule.SuccessEvent : result.Rule.ErrorMessage,
                ActionOutput = result.ActionResult?.Output is { } output ? Describe(output) : null,
                ActionError = result.ActionResult?.Exception?.Message,
            });
        }

        if (result.ChildResults is { } children)
        {
            foreach (var child in children)
            {
                Visit(set, child, matched, traces);
            }
        }
    }

    /// <summary>What a matched rule contributed; the node's shared instances whenever they say the same (most often all applied).</summary>
    private IReadOnlyList<DecisionContribution> Contributions(RuleNode node)
    {
        var decisions = node.Decisions;
        if (decisions.Count == 0)
        {
            return NoContributions;
        }

        DecisionContribution[]? contributions = null;
        for (var i = 0; i < decisions.Count; i++)
        {
            var contribution = Contribute(node, i);
            if (contributions is null && !ReferenceEquals(contribution, node.Applied(i)))
            {
                contributions = new DecisionContribution[decisions.Count];
                for (var j = 0; j < i; j++)
                {
                    contributions[j] = node.Applied(j);
                }
            }

            if (contributions is not null)
            {
                contributions[i] = contribution;
            }
        }

        return contributions ?? node.AllApplied;
    }

    private DecisionContribution Contribute(RuleNode node, int index)
    {
        var (property, value) = node.Decisions[index];
        if (property.Merge == DecisionMerge.FirstWins)
        {
            if (_scalars.TryGetValue(property.Name, out var winner))
            {
                return new DecisionContribution(property.Name, value, ContributionStatus.Overridden, winner.By);
            }

            _scalars[property.Name] = (value, node.By);
            return node.Applied(index);
        }

        if (!_lists.TryGetValue(property.Name, out var list))
        {
            _lists[property.Name] = list = new ListValues();
        }

        var added = false;
        foreach (var item in (string[])value)
        {
            if (list.Seen.Add(item))
            {
                list.Values.Add(item);
                added = true;
            }
        }

        return added ? node.Applied(index) : node.Duplicate(index);
    }

    private static string Describe(object output)
    {
        string text;
        try
        {
            text = JsonSerializer.Serialize(output);
        }
        catch (Exception ex) when (ex is NotSupportedException or JsonException or InvalidOperationException)
        {
            text = output.ToString() ?? "";
        }

        return text.Length <= MaxActionOutput ? text : text[..MaxActionOutput] + "…";
    }

    private sealed class ListValues
    {
        public List<string> Values { get; } = [];

        public HashSet<string> Seen { get; } = new(StringComparer.OrdinalIgnoreCase);
    }
}
