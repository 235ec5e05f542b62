using RulesEngine.Models;

namespace ClosedLoop.Rules.Evaluation;

/// <summary>One rule of a compiled set, with its decision values read once at compile time.</summary>
internal sealed class RuleNode
{
    public required Rule Rule { get; init; }

    public required string Path { get; init; }

    public required int Depth { get; init; }

    public string? InjectedFrom { get; init; }

    /// <summary>The rule's <c>Properties</c> that are decisions, in the order written (annotations dropped).</summary>
    public required IReadOnlyList<(DecisionProperty Property, object Value)> Decisions { get; init; }

    public List<RuleNode> Children { get; } = [];
}
