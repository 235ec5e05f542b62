using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Text.Json;
using System.Text.RegularExpressions;
using ClosedLoop.Rules.Evaluation;
using RulesEngine.Exceptions;
using RulesEngine.ExpressionBuilders;
using RulesEngine.Models;

namespace ClosedLoop.Rules.Validation;

/// <summary>
/// Turns one rule set's JSON into a <see cref="CompiledRuleSet"/>, or into problems that each name the rule and
/// the reason: schema, names, limits, decision properties, actions, injection, and every expression parsed in
/// the scope RulesEngine will compile it in and screened. Reference checks and the dry run come after, in
/// <see cref="RuleSetValidator{TInput}"/>.
/// </summary>
internal sealed partial class RuleSetCompiler<TInput>
    where TInput : class
{
    private static readonly string[] Operators = ["And", "AndAlso", "Or", "OrElse"];

    private readonly RuleInput<TInput> _input;
    private readonly RuleEngineOptions _options;
    private readonly TreeScreen _screen;
    private readonly SizeScreen _sizes;
    private readonly ReSettings _settings;

    /// <summary>
    /// One parser per set of helpers in the process, for every set any compiler checks: a parser's first parse
    /// scans every loaded assembly for Dynamic LINQ custom types (tens of milliseconds in the host), which a parser
    /// per set, or per engine, would repeat.
    /// </summary>
    private static readonly ConcurrentDictionary<string, RuleExpressionParser> Parsers = new(StringComparer.Ordinal);

    private readonly RuleExpressionParser _parser;

    public RuleSetCompiler(RuleInput<TInput> input, RuleEngineOptions options)
    {
        _input = input;
        _options = options;
        _screen = new TreeScreen(typeof(TInput), input.Helpers);
        _sizes = new SizeScreen();
        _settings = Settings(input.Helpers);
        _parser = Parsers.GetOrAdd(string.Join('|', input.Helpers.Select(h => h.AssemblyQualifiedName)), static (_, settings) => new RuleExpressionParser(settings), _settings);
    }

    /// <summary>RulesEngine settings for every set: no input type registration, only vetted helpers, errors recorded not thrown.</summary>
    public static ReSettings Settings(IEnumerable<Type> helpers) => new()
    {
        AutoRegisterInputType = false,
        CustomTypes = [.. helpers],
        EnableExceptionAsErrorMessage = true,
        EnableExceptionAsErrorMessageForRuleExpressionParsing = true,
        EnableFormattedErrorMessage = false,
        IgnoreException = false,
        EnableScopedParams = true,
        NestedRuleExecutionMode = NestedRuleExecutionMode.All,
        AutoExecuteActions = true,
    };

    /// <summary>
    /// A RulesEngine for sets compiled together (one load, or a candidate and its dependents): each RulesEngine
    /// scans every loaded assembly for Dynamic LINQ custom types on its first compilation, so they share one.
    /// </summary>
    public RulesEngine.RulesEngine NewEngine() => new(Array.Empty<Workflow>(), _settings);

    /// <summary>
    /// Compiles <paramref name="definition"/> in the context of <paramref name="catalog"/> (for injected sets) into
    /// <paramref name="into"/> (see <see cref="NewEngine"/>), which must not hold a set of the same name.
    /// </summary>
    public CompiledRuleSet? Compile(RuleSetDefinition definition, IReadOnlyDictionary<string, RuleSetDefinition> catalog, Problems problems, RulesEngine.RulesEngine into)
    {
        if (definition.Json.Length > _options.MaxJsonLength)
        {
            problems.Error(null, null, "limit", $"The rule set has {definition.Json.Length:N0} characters; at most {_options.MaxJsonLength:N0} are allowed.");
            return null;
        }

        var workflow = WorkflowJson.Read(definition.Json, problems);
        if (workflow is null)
        {
            return null;
        }

        CheckName(workflow.WorkflowName, definition.Name, problems);
        var injected = Injection.Closure(
            definition.Name,
            name => name == definition.Name ? [.. workflow.WorkflowsToInject ?? []]
                : catalog.TryGetValue(name, out var other) ? Injection.Declared(other.Json) : null,
            problems);
        var rules = (workflow.Rules ?? []).Select(r => (Rule: r, From: (string?)null)).ToList();
        foreach (var name in injected)
        {
            var injectedProblems = new Problems();
            var other = WorkflowJson.Read(catalog[name].Json, injectedProblems);
            if (other is null)
            {
                problems.Error(null, "WorkflowsToInject", "inject", $"Injected rule set '{name}' is not valid: {injectedProblems.Errors[0].Message}");
                continue;
            }

            rules.AddRange((other.Rules ?? []).Select(r => (r, (string?)name)));
        }

        if (rules.Count == 0 && !problems.HasErrors)
        {
            problems.Error(null, "Rules", "schema", "The rule set has no rules (neither its own nor injected).");
        }

        var flat = new Workflow
        {
            WorkflowName = definition.Name,
            RuleExpressionType = workflow.RuleExpressionType,
            GlobalParams = workflow.GlobalParams?.ToList(),
            Rules = rules.Select(r => r.Rule).ToList(),
        };
        var count = 0;
        var nodes = BuildNodes(definition.Name, rules, null, 1, problems, ref count);
        CheckActions(flat, nodes, problems);
        CheckExpressions(flat, nodes, problems);
        if (problems.HasErrors)
        {
            return null;
        }

        try
        {
            into.AddWorkflow(flat);
            return new CompiledRuleSet(definition, CompiledRuleSet.KeyOf(definition, injected.Select(n => catalog[n].Json)), into, nodes);
        }
        catch (RuleValidationException ex)
        {
            foreach (var failure in ex.Errors)
            {
                problems.Error(null, failure.PropertyName, "schema", failure.ErrorMessage);
            }

            return null;
        }
    }

    private static void CheckName(string? workflowName, string name, Problems problems)
    {
        if (string.IsNullOrWhiteSpace(workflowName))
        {
            problems.Error(null, "WorkflowName", "schema", "WorkflowName is required.");
        }
        else if (!NamePattern().IsMatch(workflowName))
        {
            problems.Error(null, "WorkflowName", "schema", "WorkflowName may use letters, digits, '.', '_' and '-' (at most 100, starting with a letter or digit).");
        }
        else if (!string.Equals(workflowName, name, StringComparison.Ordinal))
        {
            problems.Error(null, "WorkflowName", "schema", $"WorkflowName '{workflowName}' must equal the rule set's name '{name}'.");
        }
    }

    private List<RuleNode> BuildNodes(string ruleSet, IEnumerable<(Rule Rule, string? From)> rules, string? parent, int depth, Problems problems, ref int count)
    {
        var nodes = new List<RuleNode>();
        var index = 0;
        foreach (var (rule, from) in rules)
        {
            index++;
            var name = string.IsNullOrWhiteSpace(rule?.RuleName) ? $"#{index}" : rule.RuleName;
            var path = parent is null ? name : $"{parent}/{name}";
            if (rule is null)
            {
                problems.Error(path, null, "schema", "A rule must be an object.");
                continue;
            }

            if (string.IsNullOrWhiteSpace(rule.RuleName))
            {
                problems.Error(path, "RuleName", "schema", "RuleName is required.");
            }
            else if (nodes.Any(n => n.Rule.RuleName == rule.RuleName))
            {
                problems.Error(path, "RuleName", "schema", from is null && nodes.First(n => n.Rule.RuleName == rule.RuleName).InjectedFrom is null
                    ? $"Another rule at this level is also named '{rule.RuleName}'."
                    : $"'{rule.RuleName}' is also the name of a rule injected from or into this set; rule names must be unique.");
            }

            if (++count == _options.MaxRules + 1)
            {
                problems.Error(path, null, "limit", $"A rule set may have at most {_options.MaxRules} rules, nested and injected ones included.");
            }

            if (depth > _options.MaxDepth)
            {
                problems.Error(path, null, "limit", $"Rules may nest at most {_options.MaxDepth} levels deep.");
            }

            CheckShape(rule, path, problems);
            var node = new RuleNode { Rule = rule, Path = path, By = $"{ruleSet}:{path}", Depth = depth, InjectedFrom = from, Decisions = ReadDecisions(rule, path, problems) };
            if (rule.Operator is not null && depth <= _options.MaxDepth)
            {
                node.Children.AddRange(BuildNodes(ruleSet, (rule.Rules ?? []).Select(r => (r, from)), path, depth + 1, problems, ref count));
            }

            nodes.Add(node);
        }

        return nodes;
    }

    private void CheckShape(Rule rule, string path, Problems problems)
    {
        if (rule.Operator is not null)
        {
            if (!Operators.Contains(rule.Operator, StringComparer.Ordinal))
            {
                problems.Error(path, "Operator", "schema", $"Operator must be one of {string.Join(", ", Operators)} (spelled exactly), not '{rule.Operator}'.");
            }

            if (!(rule.Rules ?? []).Any())
            {
                problems.Error(path, "Rules", "schema", "A rule with an Operator needs nested Rules.");
            }

            if (!string.IsNullOrEmpty(rule.Expression))
            {
                problems.Warning(path, "Expression", "schema", "A rule with an Operator is decided by its nested rules; its Expression is ignored.");
                if (TextLimits.Check("The ignored expression", rule.Expression, _options.MaxExpressionLength) is { } tooLong)
                {
                    problems.Error(path, "Expression", "limit", tooLong);
                }
            }
        }
        else
        {
            if (string.IsNullOrWhiteSpace(rule.Expression))
            {
                problems.Error(path, "Expression", "schema", "Expression is required (or an Operator with nested Rules).");
            }

            if ((rule.Rules ?? []).Any())
            {
                problems.Error(path, "Rules", "schema", "Nested Rules need an Operator (And, AndAlso, Or, OrElse).");
            }
        }

        if ((rule.WorkflowsToInject ?? []).Any())
        {
            problems.Error(path, "WorkflowsToInject", "inject", "RulesEngine does not evaluate WorkflowsToInject on a rule; put it on the rule set.");
        }

        if ((rule.LocalParams ?? []).Count() > _options.MaxParams)
        {
            problems.Error(path, "LocalParams", "limit", $"A rule may have at most {_options.MaxParams} LocalParams.");
        }
    }

    private List<(DecisionProperty, object)> ReadDecisions(Rule rule, string path, Problems problems)
    {
        var decisions = new List<(DecisionProperty, object)>();
        foreach (var (key, raw) in rule.Properties ?? [])
        {
            if (DecisionValues.IsAnnotation(key))
            {
                continue;
            }

            var property = _input.Find(key);
            if (property is null)
            {
                problems.Error(path, $"Properties.{key}", "property", $"'{key}' is not a decision property; known: {string.Join(", ", _input.Properties.Select(p => p.Name))} (prefix notes with 'x-').");
                continue;
            }

            var (value, problem) = raw is JsonElement json ? DecisionValues.Read(property, json) : (null, $"'{key}' has an unreadable value.");
            if (problem is not null)
            {
                problems.Error(path, $"Properties.{key}", "property", problem);
            }
            else
            {
                decisions.Add((property, value!));
            }
        }

        return decisions;
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
    private static partial Regex NamePattern();
}
