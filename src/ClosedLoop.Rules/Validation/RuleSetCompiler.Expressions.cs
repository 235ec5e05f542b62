using System.Linq.Expressions;
using System.Text.Json;
using ClosedLoop.Rules.Evaluation;
using RulesEngine.ExpressionBuilders;
using RulesEngine.Models;

namespace ClosedLoop.Rules.Validation;

/// <summary>Expressions and actions: parsed in the scope RulesEngine compiles them in, then screened.</summary>
internal sealed partial class RuleSetCompiler<TInput>
{
    private const int MaxActionChain = 5;

    private void CheckExpressions(Workflow workflow, IReadOnlyList<RuleNode> nodes, Problems problems)
    {
        var scope = new List<ParameterExpression> { Expression.Parameter(typeof(TInput), _input.Name) };
        var sizes = new Dictionary<string, Size>(StringComparer.OrdinalIgnoreCase) { [_input.Name] = Size.Held };
        var globals = (workflow.GlobalParams ?? []).ToList();
        if (globals.Count > _options.MaxParams)
        {
            problems.Error(null, "GlobalParams", "limit", $"A rule set may have at most {_options.MaxParams} GlobalParams.");
            return;
        }

        AddParams(_parser, globals, scope, sizes, null, "GlobalParams", problems);
        foreach (var node in nodes)
        {
            CheckNode(_parser, node, scope, sizes, problems);
        }
    }

    private void CheckNode(RuleExpressionParser parser, RuleNode node, List<ParameterExpression> scope, Dictionary<string, Size> sizes, Problems problems)
    {
        var local = new List<ParameterExpression>(scope);
        var localSizes = new Dictionary<string, Size>(sizes, StringComparer.OrdinalIgnoreCase);
        AddParams(parser, (node.Rule.LocalParams ?? []).ToList(), local, localSizes, node.Path, "LocalParams", problems);
        if (node.Rule.Operator is null && !string.IsNullOrWhiteSpace(node.Rule.Expression))
        {
            Parse(parser, node.Rule.Expression, local, localSizes, typeof(bool), node.Path, "Expression", problems);
        }

        foreach (var child in node.Children)
        {
            CheckNode(parser, child, local, localSizes, problems);
        }

        foreach (var (trigger, action) in Actions(node.Rule))
        {
            if (action.Name == "OutputExpression")
            {
                Parse(parser, Context(action, "expression"), local, localSizes, null, node.Path, $"Actions.{trigger}.Context.Expression", problems);
            }
            else if (action.Name == "EvaluateRule" && TryContext<List<ScopedParam>>(action, "additionalInputs", out var inputs))
            {
                foreach (var input in inputs ?? [])
                {
                    Parse(parser, input?.Expression, local, localSizes, null, node.Path, $"Actions.{trigger}.Context.additionalInputs.{input?.Name}", problems);
                }
            }
        }
    }

    private void AddParams(RuleExpressionParser parser, List<ScopedParam> parameters, List<ParameterExpression> scope, Dictionary<string, Size> sizes, string? rule, string field, Problems problems)
    {
        foreach (var parameter in parameters)
        {
            var name = parameter?.Name;
            var where = $"{field}.{name}";
            if (string.IsNullOrWhiteSpace(name) || !IdentifierPattern().IsMatch(name))
            {
                problems.Error(rule, field, "schema", $"Every {field} entry needs a Name that is an identifier (got '{name}').");
                continue;
            }

            if (scope.Any(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)) || _input.Helpers.Any(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)))
            {
                problems.Error(rule, where, "schema", $"'{name}' is already the name of the input, a helper or another parameter in scope.");
                continue;
            }

            var parsed = Parse(parser, parameter!.Expression, scope, sizes, null, rule, where, problems);
            if (parsed is not null)
            {
                scope.Add(Expression.Parameter(parsed.Value.Expression.Type, name));
                sizes[name] = parsed.Value.Size;
            }
        }
    }

    private (Expression Expression, Size Size)? Parse(
        RuleExpressionParser parser, string? text, List<ParameterExpression> scope, IReadOnlyDictionary<string, Size> sizes, Type? returns, string? rule, string field, Problems problems)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            problems.Error(rule, field, "schema", $"{field} is empty.");
            return null;
        }

        if (text.Length > _options.MaxExpressionLength)
        {
            problems.Error(rule, field, "limit", $"The expression has {text.Length:N0} characters; at most {_options.MaxExpressionLength:N0} are allowed.");
            return null;
        }

        if (TextScreen.Check(text) is { } refused)
        {
            problems.Error(rule, field, "forbidden", refused + ".");
            return null;
        }

        Expression parsed;
        try
        {
            parsed = parser.Parse(text, [.. scope], returns);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            problems.Error(rule, field, "compile", $"The expression does not compile: {ex.Message}");
            return null;
        }

        if (_screen.Check(parsed) is { } reason)
        {
            problems.Error(rule, field, "forbidden", reason + ".");
            return null;
        }

        var (tooBig, size) = _sizes.Check(parsed, sizes);
        if (tooBig is not null)
        {
            problems.Error(rule, field, "forbidden", tooBig + ".");
            return null;
        }

        return (parsed, size);
    }

    /// <summary>
    /// Actions: only RulesEngine's two built-in ones. EvaluateRule may call a top-level rule of this same set (its
    /// own or injected rules), and chains of EvaluateRule must end: RulesEngine recurses without a guard.
    /// </summary>
    private static void CheckActions(Workflow workflow, IReadOnlyList<RuleNode> nodes, Problems problems)
    {
        var topLevel = nodes.Where(n => n.Rule.Enabled).GroupBy(n => n.Rule.RuleName ?? "", StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        foreach (var node in Flatten(nodes))
        {
            foreach (var (trigger, action) in Actions(node.Rule))
            {
                var field = $"Actions.{trigger}";
                switch (action.Name)
                {
                    case "OutputExpression":
                        break;
                    case "EvaluateRule":
                        var target = Context(action, "workflowName");
                        var rule = Context(action, "ruleName");
                        if (target != workflow.WorkflowName)
                        {
                            problems.Error(node.Path, $"{field}.Context.workflowName", "action", $"EvaluateRule may only call rules of this rule set ('{workflow.WorkflowName}'), not '{target}'; inject other sets with WorkflowsToInject.");
                        }
                        else if (rule is null || !topLevel.ContainsKey(rule))
                        {
                            problems.Error(node.Path, $"{field}.Context.ruleName", "action", $"EvaluateRule names no enabled top-level rule '{rule}'.");
                        }

                        break;
                    default:
                        problems.Error(node.Path, $"{field}.Name", "action", $"Unknown action '{action.Name}'; RulesEngine has OutputExpression and EvaluateRule.");
                        break;
                }
            }
        }

        foreach (var start in topLevel.Keys)
        {
            var trail = new List<string> { start };
            if (ChainTooLong(start, trail, topLevel) is { } chain)
            {
                problems.Error(start, "Actions", "action", $"EvaluateRule chain never ends or is longer than {MaxActionChain}: {chain}.");
                return;
            }
        }
    }

    private static string? ChainTooLong(string rule, List<string> trail, Dictionary<string, RuleNode> topLevel)
    {
        foreach (var (_, action) in Actions(topLevel[rule].Rule).Where(a => a.Action.Name == "EvaluateRule"))
        {
            if (Context(action, "ruleName") is not { } next || !topLevel.ContainsKey(next))
            {
                continue;
            }

            trail.Add(next);
            if (trail.Count > MaxActionChain || trail.IndexOf(next) < trail.Count - 1 || ChainTooLong(next, trail, topLevel) is not null)
            {
                return string.Join(" → ", trail);
            }

            trail.RemoveAt(trail.Count - 1);
        }

        return null;
    }

    private static IEnumerable<(string Trigger, ActionInfo Action)> Actions(Rule rule)
    {
        if (rule.Actions?.OnSuccess is { } success)
        {
            yield return ("OnSuccess", success);
        }

        if (rule.Actions?.OnFailure is { } failure)
        {
            yield return ("OnFailure", failure);
        }
    }

    private static IEnumerable<RuleNode> Flatten(IEnumerable<RuleNode> nodes) => nodes.SelectMany(n => Flatten(n.Children).Prepend(n));

    /// <summary>An action's context value as RulesEngine reads it: keys ignore case, strings as they are.</summary>
    private static string? Context(ActionInfo action, string key) =>
        (action.Context ?? []).FirstOrDefault(kv => string.Equals(kv.Key, key, StringComparison.OrdinalIgnoreCase)).Value switch
        {
            JsonElement { ValueKind: JsonValueKind.String } s => s.GetString(),
            string s => s,
            _ => null,
        };

    private static bool TryContext<T>(ActionInfo action, string key, out T? value)
    {
        value = default;
        var raw = (action.Context ?? []).FirstOrDefault(kv => string.Equals(kv.Key, key, StringComparison.OrdinalIgnoreCase)).Value;
        if (raw is not JsonElement json)
        {
            return false;
        }

        try
        {
            value = json.Deserialize<T>();
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial System.Text.RegularExpressions.Regex IdentifierPattern();
}
