using System.Text.Json;
using ClosedLoop.Rules.Validation;
using RulesEngine.Models;

namespace ClosedLoop.Rules.Evaluation;

/// <summary>
/// Merges matched rules' values into one decision, in evaluation order, and records what each rule contributed:
/// first-wins properties keep the first value and mark later ones overridden; lists collect every value once.
/// </summary>
internal sealed class DecisionAccumulator(DecisionSchema schema)
{
    private const int MaxActionOutput = 1_000;

    /// <summary>Lists longer than this get a set to find duplicates in; shorter ones (nearly all) are searched.</summary>
    private const int SearchedListLength = 16;

    /// <summary>What most rules contribute (they did not match, or set nothing): one shared instance, not one per rule per item.</summary>
    private static readonly DecisionContribution[] NoContributions = [];

    // By the schema's positions: a first-wins value with the rule that set it, or a list's values so far.
    private readonly object?[] _values = new object?[schema.Count];
    private readonly string?[] _setBy = new string?[schema.Count];

    public IReadOnlyList<string> List(string name) => Slot(name) is var slot && slot >= 0 && _values[slot] is ListValues list ? list.Values : [];

    public RuleSetTrace Apply(CompiledRuleSet set, List<RuleResultTree> results)
    {
        // One slot per enabled rule, which is what RulesEngine reports; trimmed should it report fewer, grown more.
        var traces = new RuleTrace[set.ByRule.Count];
        var count = 0;
        var shared = true;
        foreach (var result in results)
        {
            Visit(set, result, true, ref traces, ref count, ref shared);
        }

        if (count < traces.Length)
        {
            Array.Resize(ref traces, count);
        }

        // Every trace shared (nothing said that is this item's own): the set's trace is most likely shared too.
        return shared ? set.Traces.Intern(traces, set, static (t, s) => Evaluated(s, t)) : Evaluated(set, traces);
    }

    public RuleDecision Decision()
    {
        var values = new object?[_values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = _values[i] is ListValues list ? list.Values.ToArray() : _values[i];
        }

        return new RuleDecision(new DecisionMap(schema, values));
    }

    /// <summary>The default route: the fallback's values for every first-wins property, lists kept and extended.</summary>
    public RuleDecision Fallback(RuleDecision fallback)
    {
        var values = new object?[_values.Length];
        foreach (var (name, value) in fallback.Values)
        {
            values[Slot(name)] = value is string[] extra ? List(name).Concat(extra).Distinct(StringComparer.OrdinalIgnoreCase).ToArray() : value;
        }

        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] is null && _values[i] is ListValues list)
            {
                values[i] = list.Values.ToArray();
            }
        }

        return new RuleDecision(new DecisionMap(schema, values));
    }

    private static RuleSetTrace Evaluated(CompiledRuleSet set, RuleTrace[] traces) =>
        new(set.Name, set.Definition.Version, set.Definition.Order, RuleSetOutcome.Evaluated, null, traces);

    private void Visit(CompiledRuleSet set, RuleResultTree result, bool parentMatched, ref RuleTrace[] traces, ref int count, ref bool shared)
    {
        if (result.Rule is null || !set.ByRule.TryGetValue(result.Rule, out var node))
        {
            return;
        }

        if (count == traces.Length)
        {
            Array.Resize(ref traces, Math.Max(4, 2 * count));
        }

        // A rule that raised no error and ran no action has a trace that depends only on whether it held and
        // matched and on what it contributed: shared by every item where that comes out the same (RuleNode).
        var matched = parentMatched && result.IsSuccess;
        var plain = string.IsNullOrEmpty(result.ExceptionMessage) && result.ActionResult?.Output is null && result.ActionResult?.Exception is null;
        var contributions = matched ? Contributions(node) : NoContributions;
        if (plain)
        {
            traces[count++] = matched && contributions.Length > 0 ? node.Matched(contributions) : node.Plain(result.IsSuccess, matched);
        }
        else
        {
            traces[count++] = Trace(node, result, matched, contributions);
            shared = false;
        }

        if (result.ChildResults is { } children)
        {
            foreach (var child in children)
            {
                Visit(set, child, matched, ref traces, ref count, ref shared);
            }
        }
    }

    private static RuleTrace Trace(RuleNode node, RuleResultTree result, bool matched, IReadOnlyList<DecisionContribution> contributions) =>
        // Exception messages can quote the item (FormatException quotes the text it could not parse): cut, as action output is.
        new(result.Rule.RuleName, node.Path, result.IsSuccess, matched, string.IsNullOrEmpty(result.ExceptionMessage) ? null : TextLimits.Cut(result.ExceptionMessage, TextLimits.RecordedError), contributions)
        {
            InjectedFrom = node.InjectedFrom,
            Message = result.IsSuccess ? result.Rule.SuccessEvent : result.Rule.ErrorMessage,
            ActionOutput = result.ActionResult?.Output is { } output ? Describe(output) : null,
            ActionError = TextLimits.Cut(result.ActionResult?.Exception?.Message, TextLimits.RecordedError),
        };

    /// <summary>What a matched rule contributed, from the node's shared instances (all applied: the node's own array).</summary>
    private DecisionContribution[] Contributions(RuleNode node)
    {
        var decisions = node.Decisions;
        if (decisions.Count == 0)
        {
            return NoContributions;
        }

        var applied = node.AppliedAll();
        DecisionContribution[]? contributions = null;
        for (var i = 0; i < decisions.Count; i++)
        {
            var contribution = Contribute(node, i);
            if (contributions is null && !ReferenceEquals(contribution, applied[i]))
            {
                contributions = new DecisionContribution[decisions.Count];
                Array.Copy(applied, contributions, i);
            }

            if (contributions is not null)
            {
                contributions[i] = contribution;
            }
        }

        return contributions ?? applied;
    }

    private DecisionContribution Contribute(RuleNode node, int index)
    {
        var (property, value) = node.Decisions[index];
        var slot = Slot(property.Name);
        if (property.Merge == DecisionMerge.FirstWins)
        {
            if (_setBy[slot] is { } winner)
            {
                return node.Overridden(index, winner);
            }

            _values[slot] = value;
            _setBy[slot] = node.By;
            return node.Applied(index);
        }

        if (_values[slot] is not ListValues list)
        {
            _values[slot] = list = new ListValues();
        }

        var added = false;
        foreach (var item in (string[])value)
        {
            added |= list.Add(item);
        }

        return added ? node.Applied(index) : node.Duplicate(index);
    }

    private int Slot(string name) => schema.Slot(name);

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

    /// <summary>A list's values in first-seen order, each once ignoring case.</summary>
    private sealed class ListValues
    {
        private HashSet<string>? _seen;

        public List<string> Values { get; } = [];

        public bool Add(string value)
        {
            if (_seen is not null)
            {
                if (!_seen.Add(value))
                {
                    return false;
                }
            }
            else
            {
                foreach (var seen in Values)
                {
                    if (string.Equals(seen, value, StringComparison.OrdinalIgnoreCase))
                    {
                        return false;
                    }
                }

                if (Values.Count == SearchedListLength)
                {
                    _seen = new HashSet<string>(Values, StringComparer.OrdinalIgnoreCase) { value };
                }
            }

            Values.Add(value);
            return true;
        }
    }
}
