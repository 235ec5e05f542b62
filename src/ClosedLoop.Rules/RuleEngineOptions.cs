namespace ClosedLoop.Rules;

/// <summary>Limits of the rules engine; bound from configuration section <c>Rules</c> by the host.</summary>
public sealed class RuleEngineOptions
{
    /// <summary>Time one item's evaluation (all rule sets) may take before it gets the default route.</summary>
    public TimeSpan EvaluationBudget { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Abandoned (timed-out, still running) evaluations one rule set may have at once; one more suspends the
    /// set until it is replaced. Bounds the threads a runaway rule can hold.
    /// </summary>
    public int MaxAbandonedPerRuleSet { get; set; } = 2;

    /// <summary>Time each sample input's dry run may take when a rule set is validated.</summary>
    public TimeSpan DryRunBudget { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Characters one expression (rule, LocalParam, GlobalParam, action) may have.</summary>
    public int MaxExpressionLength { get; set; } = 2_000;

    /// <summary>Rules one rule set may have, nested and injected rules included.</summary>
    public int MaxRules { get; set; } = 500;

    /// <summary>How deep rules may nest (a top-level rule is depth 1).</summary>
    public int MaxDepth { get; set; } = 6;

    /// <summary>LocalParams per rule, and GlobalParams per rule set.</summary>
    public int MaxParams { get; set; } = 25;

    /// <summary>Size of one rule set's JSON text, in characters.</summary>
    public int MaxJsonLength { get; set; } = 512 * 1024;
}
