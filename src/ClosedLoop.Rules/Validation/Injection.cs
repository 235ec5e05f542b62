using System.Text.Json;

namespace ClosedLoop.Rules.Validation;

/// <summary>
/// Resolves <c>WorkflowsToInject</c> ourselves: RulesEngine 6.0.1 appends injected rules to the stored workflow
/// on every lookup (the list grows with each execution) and recurses without a cycle check (a stack overflow
/// kills the process). We flatten once, in RulesEngine's order, and hand RulesEngine a workflow without
/// injections.
/// </summary>
internal static class Injection
{
    /// <summary>
    /// The rule sets <paramref name="root"/> injects, transitively, in the order their rules are appended:
    /// each name's own rules, then what it injects, depth first; a set injected twice is used once.
    /// </summary>
    public static IReadOnlyList<string> Closure(string root, Func<string, IReadOnlyList<string>?> injectsOf, Problems problems)
    {
        var order = new List<string>();
        Visit(root, [root]);
        return order;

        void Visit(string name, List<string> trail)
        {
            foreach (var injected in injectsOf(name) ?? [])
            {
                if (trail.Contains(injected, StringComparer.Ordinal))
                {
                    problems.Error(null, "WorkflowsToInject", "inject", $"Injection cycle: {string.Join(" → ", trail.Append(injected))}.");
                    continue;
                }

                if (injectsOf(injected) is null)
                {
                    problems.Error(null, "WorkflowsToInject", "inject", $"'{injected}' names no published rule set.");
                    continue;
                }

                if (!order.Contains(injected, StringComparer.Ordinal))
                {
                    order.Add(injected);
                    Visit(injected, [.. trail, injected]);
                }
            }
        }
    }

    /// <summary>The workflow-level <c>WorkflowsToInject</c> of <paramref name="json"/>, read without the full model.</summary>
    public static IReadOnlyList<string> Declared(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return [];
            }

            var names = new List<string>();
            foreach (var member in new[] { "WorkflowsToInject", "WorkflowRulesToInject" })
            {
                if (root.TryGetProperty(member, out var list) && list.ValueKind == JsonValueKind.Array)
                {
                    names.AddRange(list.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!));
                }
            }

            return names;
        }
        catch (JsonException)
        {
            return [];
        }
    }
}
