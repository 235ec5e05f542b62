using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using ClosedLoop.Feedback.Contracts.Routing;
using ClosedLoop.Rules;
using RulesEngine.Models;

namespace ClosedLoop.Bench.Rules;

/// <summary>
/// The baseline: RulesEngine itself, with the settings our compiler gives every set (custom types, error
/// handling, nested rule mode, actions), running every rule set on the same input one after the other, with
/// no time budget, no worker, no explanation and no merge.
/// </summary>
internal sealed class RawEngine
{
    private static readonly JsonSerializerOptions WorkflowOptions = new() { Converters = { new JsonStringEnumConverter() } };

    private readonly RulesEngine.RulesEngine _engine;
    private readonly string[] _names;

    public RawEngine(IReadOnlyList<RuleSetDefinition> ruleSets)
    {
        var workflows = ruleSets.Select(s => JsonSerializer.Deserialize<Workflow>(s.Json, WorkflowOptions)!).ToArray();
        _names = [.. workflows.Select(w => w.WorkflowName)];
        _engine = new RulesEngine.RulesEngine(workflows, Settings.Value);
    }

    /// <summary>
    /// Our compiler's settings, read from the compiler itself (internal, and the architecture tests allow
    /// internals to be seen by the assembly's own tests only), so the baseline cannot drift from them.
    /// </summary>
    private static readonly Lazy<ReSettings> Settings = new(() =>
    {
        var compiler = typeof(IRuleEngine<>).Assembly.GetType("ClosedLoop.Rules.Validation.RuleSetCompiler`1", throwOnError: true)!
            .MakeGenericType(typeof(FeedbackFacts));
        var settings = compiler.GetMethod("Settings", BindingFlags.Public | BindingFlags.Static)
            ?? throw new InvalidOperationException("RuleSetCompiler.Settings(helpers) is gone; update the baseline.");
        Type[] helpers = [typeof(ClosedLoop.Rules.Helpers.Text), typeof(ClosedLoop.Rules.Helpers.Lists)];
        return (ReSettings)settings.Invoke(null, [helpers])!;
    });

    /// <summary>Every set on <paramref name="input"/>; returns the number of rule results (kept so nothing is optimised away).</summary>
    public async ValueTask<int> ExecuteAsync(FeedbackFacts input)
    {
        var results = 0;
        foreach (var name in _names)
        {
            results += (await _engine.ExecuteAllRulesAsync(name, new RuleParameter(FeedbackInput.Name, input)).ConfigureAwait(false)).Count;
        }

        return results;
    }
}
