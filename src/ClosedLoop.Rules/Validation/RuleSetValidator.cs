using ClosedLoop.Rules.Evaluation;
using RulesEngine.Models;

namespace ClosedLoop.Rules.Validation;

/// <summary>
/// Decides whether a submitted rule set may be saved: it compiles and passes the screen
/// (<see cref="RuleSetCompiler{TInput}"/>), the sets that inject it still compile, the things its decisions name
/// exist, and a dry run on every sample input finishes in time, rule by rule, so a slow rule is named.
/// </summary>
internal sealed class RuleSetValidator<TInput>(
    RuleInput<TInput> input,
    RuleEngineOptions options,
    RuleSetCompiler<TInput> compiler,
    Router<TInput> router,
    IEnumerable<IDecisionReferenceCheck> referenceChecks)
    where TInput : class
{
    /// <summary>Dry runs that timed out and still hold a thread; more than this and validation answers "busy".</summary>
    private const int MaxAbandonedDryRuns = 2;

    private readonly IDecisionReferenceCheck[] _checks = [.. referenceChecks];
    private int _abandonedDryRuns;

    /// <summary>The validation, and when valid the candidate and its dependents compiled against it.</summary>
    public async ValueTask<(RuleSetValidation Validation, IReadOnlyDictionary<string, CompiledRuleSet>? Compiled)> ValidateAsync(
        RuleSetDefinition candidate, Snapshot context, CancellationToken cancellationToken)
    {
        var problems = new Problems();
        var catalog = context.Catalog.RuleSets.Where(d => d.Name != candidate.Name).Append(candidate).ToDictionary(d => d.Name, StringComparer.Ordinal);
        var engine = compiler.NewEngine();
        var compiled = compiler.Compile(candidate, catalog, problems, engine);
        if (compiled is null)
        {
            return (problems.ToValidation(candidate.Name), null);
        }

        var sets = new Dictionary<string, CompiledRuleSet>(StringComparer.Ordinal) { [candidate.Name] = compiled };
        foreach (var dependent in catalog.Values.Where(d => d.Name != candidate.Name && Injects(d.Name, candidate.Name, catalog)))
        {
            var dependentProblems = new Problems();
            if (compiler.Compile(dependent, catalog, dependentProblems, engine) is { } recompiled)
            {
                sets[dependent.Name] = recompiled;
            }
            else
            {
                problems.Error(null, "WorkflowsToInject", "inject", $"Rule set '{dependent.Name}' injects this set and would no longer be valid: {dependentProblems.Errors[0].Message}");
            }
        }

        if (!problems.HasErrors)
        {
            await CheckReferencesAsync(compiled, problems, cancellationToken).ConfigureAwait(false);
        }

        if (!problems.HasErrors)
        {
            await DryRunAsync(compiled, context.With(sets), problems, cancellationToken).ConfigureAwait(false);
        }

        return (problems.ToValidation(candidate.Name), problems.HasErrors ? null : sets);
    }

    private static bool Injects(string name, string target, IReadOnlyDictionary<string, RuleSetDefinition> catalog) =>
        Injection.Closure(name, n => catalog.TryGetValue(n, out var d) ? Injection.Declared(d.Json) : null, new Problems()).Contains(target, StringComparer.Ordinal);

    private async ValueTask CheckReferencesAsync(CompiledRuleSet set, Problems problems, CancellationToken cancellationToken)
    {
        var uses = Walk(set.Rules)
            .SelectMany(n => n.Decisions.Where(d => d.Property.References is not null)
                .SelectMany(d => (d.Value as string[] ?? [(string)d.Value]).Select(v => (Kind: d.Property.References!, d.Property, Value: v, Node: n))))
            .ToList();
        foreach (var check in _checks)
        {
            var values = uses.Where(u => u.Kind == check.Kind).Select(u => u.Value).Distinct(StringComparer.Ordinal).ToList();
            if (values.Count == 0)
            {
                continue;
            }

            var missing = (await check.FindMissingAsync(values, cancellationToken).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
            foreach (var use in uses.Where(u => u.Kind == check.Kind && missing.Contains(u.Value)))
            {
                problems.Error(use.Node.Path, $"Properties.{use.Property.Name}", "reference", $"'{use.Value}' names no {check.Kind}.");
            }
        }
    }

    private async ValueTask DryRunAsync(CompiledRuleSet set, Snapshot trial, Problems problems, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _abandonedDryRuns) >= MaxAbandonedDryRuns)
        {
            problems.Error(null, null, "busy", "Earlier dry runs that ran out of time are still running; try again shortly.");
            return;
        }

        var parameter = (TInput sample) => new RuleParameter[] { new(input.Name, sample) };
        try
        {
            // Compiles the whole workflow without running a rule: the named rule does not exist.
            await set.Engine.ExecuteActionWorkflowAsync(set.Name, "\u0000compile-only", parameter(input.Samples[0])).ConfigureAwait(false);
        }
        catch (ArgumentException)
        {
        }

        for (var s = 0; s < input.Samples.Count; s++)
        {
            var sample = input.Samples[s];
            var probe = new Probe();
            var work = EvaluationWorkers.Shared.Run(() => RunRulesAsync(set, parameter(sample), probe).GetAwaiter().GetResult());
            try
            {
                await work.Task.WaitAsync(options.DryRunBudget, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                work.Abandon();
                Interlocked.Increment(ref _abandonedDryRuns);
                _ = work.Task.ContinueWith(_ => Interlocked.Decrement(ref _abandonedDryRuns), TaskScheduler.Default);
                problems.Error(probe.Current, "Expression", "dry-run",
                    $"The rule did not finish within {options.DryRunBudget.TotalMilliseconds:N0} ms on sample #{s + 1}; one item's evaluation must stay well within {options.EvaluationBudget.TotalMilliseconds:N0} ms.");
                return;
            }

            foreach (var (path, error) in probe.Errors)
            {
                problems.Warning(path, "Expression", "dry-run", $"Raised an error on sample #{s + 1}: {error}");
            }

            var routed = await router.RouteAsync(trial, sample, options.DryRunBudget, live: false, cancellationToken).ConfigureAwait(false);
            if (routed.Fallback)
            {
                problems.Error(null, null, "dry-run", $"Routing sample #{s + 1} with this rule set fell back to the default route: {routed.FallbackReason}");
                return;
            }

            if (routed.ElapsedMilliseconds > options.EvaluationBudget.TotalMilliseconds / 2)
            {
                problems.Warning(null, null, "dry-run", $"Routing sample #{s + 1} took {routed.ElapsedMilliseconds:N0} ms, more than half the {options.EvaluationBudget.TotalMilliseconds:N0} ms budget.");
            }
        }
    }

    /// <summary>Runs each enabled top-level rule on its own, noting which one is running so a time-out can name it.</summary>
    private static async Task<bool> RunRulesAsync(CompiledRuleSet set, RuleParameter[] parameters, Probe probe)
    {
        foreach (var node in set.Rules.Where(n => n.Rule.Enabled))
        {
            probe.Current = node.Path;
            var result = await set.Engine.ExecuteActionWorkflowAsync(set.Name, node.Rule.RuleName, parameters).ConfigureAwait(false);
            foreach (var tree in result.Results ?? [])
            {
                Collect(tree, node.Path, probe);
            }
        }

        return true;
    }

    private static void Collect(RuleResultTree tree, string path, Probe probe)
    {
        if (!string.IsNullOrEmpty(tree.ExceptionMessage))
        {
            probe.Errors.Add((path, TextLimits.Cut(tree.ExceptionMessage, TextLimits.RecordedError)!));
        }

        foreach (var child in tree.ChildResults ?? [])
        {
            Collect(child, $"{path}/{child.Rule?.RuleName}", probe);
        }
    }

    private static IEnumerable<RuleNode> Walk(IEnumerable<RuleNode> nodes) => nodes.SelectMany(n => Walk(n.Children).Prepend(n));

    private sealed class Probe
    {
        public volatile string? Current;

        public List<(string Path, string Error)> Errors { get; } = [];
    }
}
