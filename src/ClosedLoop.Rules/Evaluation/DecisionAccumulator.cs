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

    private readonly Dictionary<string, object> _scalars = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _winners = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _lists = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _seen = new(StringComparer.Ordinal);

    /// <summary>Bumped whenever a list gains a value, so inputs are re-fed only when something changed.</summary>
    public int ListVersion { get; private set; }

    public IReadOnlyList<string> List(string name) => _lists.TryGetValue(name, out var list) ? list : [];

    public RuleSetTrace Apply(CompiledRuleSet set, IEnumerable<RuleResultTree> results)
    {
        var traces = new List<RuleTrace>();
        foreach (var result in results)
        {
            Visit(set, result, true, traces);
        }

        return new RuleSetTrace(set.Name, set.Definition.Version, set.Definition.Order, RuleSetOutcome.Evaluated, null, traces);
    }

    public RuleDecision Decision()
    {
        var values = new Dictionary<string, object>(_scalars, StringComparer.Ordinal);
        foreach (var (name, list) in _lists)
        {
            values[name] = list.ToArray();
        }

        return new RuleDecision(values);
    }

    /// <summary>The default route: the fallback's values for every first-wins property, lists kept and extended.</summary>
    public RuleDecision Fallback(RuleDecision fallback)
    {
        var values = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var (name, value) in fallback.Values)
        {
            values[name] = value is string[] extra ? _lists.GetValueOrDefault(name, []).Concat(extra).Distinct(StringComparer.OrdinalIgnoreCase).ToArray() : value;
        }

        foreach (var (name, list) in _lists)
        {
            values.TryAdd(name, list.ToArray());
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
        var by = $"{set.Name}:{node.Path}";
        var contributions = matched ? node.Decisions.Select(d => Contribute(d.Property, d.Value, by)).ToList() : [];
        traces.Add(new RuleTrace(
            result.Rule.RuleName,
            node.Path,
            result.IsSuccess,
            matched,
            string.IsNullOrEmpty(result.ExceptionMessage) ? null : result.ExceptionMessage,
            contributions)
        {
            InjectedFrom = node.InjectedFrom,
            Message = result.IsSuccess ? result.Rule.SuccessEvent : result.Rule.ErrorMessage,
            ActionOutput = Describe(result.ActionResult?.Output),
            ActionError = result.ActionResult?.Exception?.Message,
        });
        foreach (var child in result.ChildResults ?? [])
        {
            Visit(set, child, matched, traces);
        }
    }

    private DecisionContribution Contribute(DecisionProperty property, object value, string by)
    {
        if (property.Merge == DecisionMerge.FirstWins)
        {
            if (_winners.TryGetValue(property.Name, out var winner))
            {
                return new DecisionContribution(property.Name, value, ContributionStatus.Overridden, winner);
            }

            _scalars[property.Name] = value;
            _winners[property.Name] = by;
            return new DecisionContribution(property.Name, value, ContributionStatus.Applied);
        }

        var values = (string[])value;
        if (!_lists.TryGetValue(property.Name, out var list))
        {
            _lists[property.Name] = list = [];
            _seen[property.Name] = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        }

        var added = 0;
        foreach (var item in values.Where(_seen[property.Name].Add))
        {
            list.Add(item);
            added++;
        }

        ListVersion += added > 0 ? 1 : 0;
        return new DecisionContribution(property.Name, values, added > 0 ? ContributionStatus.Applied : ContributionStatus.Duplicate);
    }

    private static string? Describe(object? output)
    {
        if (output is null)
        {
            return null;
        }

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
}
