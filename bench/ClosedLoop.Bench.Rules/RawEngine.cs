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

    /// <summary>
    /// Every set on <paramref name="input"/>, the sets after the first on <paramref name="fed"/> when given;
    /// returns the number of rule results (kept so nothing is optimised away).
    /// </summary>
    public async ValueTask<int> ExecuteAsync(FeedbackFacts input, FeedbackFacts? fed = null)
    {
        var results = 0;
        for (var i = 0; i < _names.Length; i++)
        {
            var parameter = new RuleParameter(FeedbackInput.Name, i == 0 ? input : fed ?? input);
            results += (await _engine.ExecuteAllRulesAsync(_names[i], parameter).ConfigureAwait(false)).Count;
        }

        return results;
    }

    /// <summary>
    /// <paramref name="input"/> as the sets after the first see it when routed: with the topics that the first set's
    /// matching rules add (only the topic set adds topics), merged as the Feedback module's input merges them.
    /// Worked out here from RulesEngine's own results, not from ours.
    /// </summary>
    public async ValueTask<FeedbackFacts> FedAsync(FeedbackFacts input)
    {
        var results = await _engine.ExecuteAllRulesAsync(_names[0], new RuleParameter(FeedbackInput.Name, input)).ConfigureAwait(false);
        var topics = new List<string>();
        Collect(results, topics);
        return topics.Count == 0 ? input : FeedbackInput.Feed(input, topics);
    }

    private static void Collect(IEnumerable<RuleResultTree> results, List<string> topics)
    {
        foreach (var result in results.Where(r => r.IsSuccess))
        {
            if (result.Rule.Properties?.TryGetValue("topics", out var value) == true)
            {
                var element = value is JsonElement json ? json : JsonSerializer.SerializeToElement(value);
                topics.AddRange(element.ValueKind == JsonValueKind.Array ? element.EnumerateArray().Select(e => e.GetString()!) : [element.GetString()!]);
            }

            Collect(result.ChildResults ?? [], topics);
        }
    }
}
