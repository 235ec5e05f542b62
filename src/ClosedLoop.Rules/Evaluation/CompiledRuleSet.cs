using System.Security.Cryptography;
using System.Text;
using RulesEngine.Models;

namespace ClosedLoop.Rules.Evaluation;

/// <summary>
/// One published rule set, compiled: its own RulesEngine instance holding the flattened workflow, its rules
/// with their decision values, and its suspension state. Immutable except for that state, which belongs to
/// this version only: a new version is a new object and starts unsuspended.
/// </summary>
internal sealed class CompiledRuleSet
{
    private int _abandoned;
    private int _suspended;

    public CompiledRuleSet(RuleSetDefinition definition, string key, RulesEngine.RulesEngine engine, IReadOnlyList<RuleNode> rules)
    {
        Definition = definition;
        Key = key;
        Engine = engine;
        Rules = rules;
        var byRule = new Dictionary<Rule, RuleNode>(ReferenceEqualityComparer.Instance);
        foreach (var node in Walk(rules))
        {
            byRule[node.Rule] = node;
        }

        ByRule = byRule;
    }

    public RuleSetDefinition Definition { get; }

    public string Name => Definition.Name;

    /// <summary>Name, version and a hash of every JSON text it was compiled from.</summary>
    public string Key { get; }

    public RulesEngine.RulesEngine Engine { get; }

    public IReadOnlyList<RuleNode> Rules { get; }

    public IReadOnlyDictionary<Rule, RuleNode> ByRule { get; }

    /// <summary>This set's traces as items came out, kept to be shared by later items that come out the same.</summary>
    public InternTable<RuleTrace, RuleSetTrace> Traces { get; } = new(256);

    public bool Suspended => Volatile.Read(ref _suspended) == 1;

    public int Abandoned => Volatile.Read(ref _abandoned);

    /// <summary>
    /// Counts <paramref name="evaluation"/> as abandoned until it finishes. True when this pushed the set over
    /// <paramref name="limit"/> and suspended it (only the first time).
    /// </summary>
    public bool Abandon(Task evaluation, int limit)
    {
        var now = Interlocked.Increment(ref _abandoned);
        evaluation.ContinueWith(static (_, state) => Interlocked.Decrement(ref ((CompiledRuleSet)state!)._abandoned), this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return now > limit && Interlocked.Exchange(ref _suspended, 1) == 0;
    }

    public static string KeyOf(RuleSetDefinition definition, IEnumerable<string> texts)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u0001', texts.Prepend(definition.Json))));
        return $"{definition.Name}@{definition.Version}#{Convert.ToHexString(hash, 0, 8)}";
    }

    private static IEnumerable<RuleNode> Walk(IEnumerable<RuleNode> nodes) => nodes.SelectMany(n => Walk(n.Children).Prepend(n));
}
