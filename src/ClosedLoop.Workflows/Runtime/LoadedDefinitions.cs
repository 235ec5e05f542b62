using System.Collections.Concurrent;
using System.Text.Json;
using ClosedLoop.Workflows.Definitions;
using ClosedLoop.Workflows.Store.Data;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Workflows.Runtime;

/// <summary>A published version, parsed once, with its graph indexed for the runner and its expressions compiled on first use.</summary>
internal sealed class LoadedDefinition
{
    private readonly ConcurrentDictionary<string, Delegate> compiled = new(StringComparer.Ordinal);

    // The expressions' parameters (the variables, then case), once per version: every evaluation reads their names and types.
    private readonly System.Linq.Expressions.ParameterExpression[] parameters;

    public LoadedDefinition(WorkflowDefinitionDocument document)
    {
        Document = document;
        Activities = document.Root.Activities.ToDictionary(a => a.Id, StringComparer.Ordinal);
        Outgoing = document.Root.Connections
            .GroupBy(c => (c.Source.Activity, c.Source.Port))
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(c => c.Target.Activity).ToList());
        Incoming = document.Root.Connections
            .GroupBy(c => c.Target.Activity, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(c => $"{c.Source.Activity}:{c.Source.Port}").Distinct().ToList(), StringComparer.Ordinal);
        Start = document.Root.Activities.First(a => a.Type == BuiltInActivities.Start).Id;
        parameters = WorkflowExpressionCompiler.Parameters(document.Variables);
    }

    public WorkflowDefinitionDocument Document { get; }

    public IReadOnlyDictionary<string, WorkflowActivity> Activities { get; }

    public IReadOnlyDictionary<(string Activity, string Port), IReadOnlyList<string>> Outgoing { get; }

    /// <summary>Per activity, the distinct inbound connections as "source:port".</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Incoming { get; }

    public string Start { get; }

    public IReadOnlyList<string> Targets(string activity, string port) =>
        Outgoing.TryGetValue((activity, port), out var targets) ? targets : [];

    /// <summary>Activities from which <paramref name="activity"/> can be reached (its upstream), excluding itself.</summary>
    public HashSet<string> Upstream(string activity)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>([activity]);
        while (stack.TryPop(out var current))
        {
            foreach (var c in Document.Root.Connections)
            {
                if (c.Target.Activity == current && seen.Add(c.Source.Activity))
                {
                    stack.Push(c.Source.Activity);
                }
            }
        }

        seen.Remove(activity);
        return seen;
    }

    /// <summary>Activities reachable from <paramref name="activity"/>, excluding itself unless on a cycle.</summary>
    public HashSet<string> Downstream(string activity)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>([activity]);
        while (stack.TryPop(out var current))
        {
            foreach (var c in Document.Root.Connections)
            {
                if (c.Source.Activity == current && seen.Add(c.Target.Activity))
                {
                    stack.Push(c.Target.Activity);
                }
            }
        }

        return seen;
    }

    /// <summary>Evaluates an input's expression over the variables and the case. Throws with an admin-readable message when it cannot.</summary>
    public JsonElement Evaluate(string activityId, string input, WorkflowExpression expression, IReadOnlyDictionary<string, JsonElement> variables, CaseFacts? facts)
    {
        switch (expression.Type)
        {
            case WorkflowExpressionType.Literal:
                return expression.Value;
            case WorkflowExpressionType.Variable:
                var name = expression.Value.GetString() ?? string.Empty;
                return variables.TryGetValue(name, out var value) ? value : JsonSerializer.SerializeToElement<object?>(null);
            default:
                var code = expression.Value.GetString() ?? string.Empty;
                var lambda = compiled.GetOrAdd($"{activityId}\u001f{input}", _ =>
                    WorkflowExpressionCompiler.TryCompile(code, Document.Variables, out var parsed, out var error)
                        ? parsed!.Compile()
                        : throw new InvalidOperationException(error));
                var args = new object?[parameters.Length];
                for (var i = 0; i < parameters.Length - 1; i++)
                {
                    args[i] = ToClr(variables.TryGetValue(parameters[i].Name!, out var v) ? v : null, parameters[i].Type);
                }

                args[^1] = facts;
                object? result;
                try
                {
                    result = lambda.DynamicInvoke(args);
                }
                catch (System.Reflection.TargetInvocationException ex) when (ex.InnerException is NullReferenceException && facts is null)
                {
                    throw new InvalidOperationException($"The expression of '{input}' reads the case, and the case this loop runs for is not found.", ex.InnerException);
                }
                catch (System.Reflection.TargetInvocationException ex) when (ex.InnerException is not null)
                {
                    throw new InvalidOperationException($"The expression of '{input}' failed: {ex.InnerException.Message}", ex.InnerException);
                }

                return JsonSerializer.SerializeToElement(result);
        }
    }

    private static object? ToClr(JsonElement? value, Type type)
    {
        if (value is not { } v || v.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return type == typeof(decimal) ? 0m : type == typeof(bool) ? false : null;
        }

        if (type == typeof(string))
        {
            return v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText();
        }

        if (type == typeof(decimal))
        {
            return v.ValueKind == JsonValueKind.Number ? v.GetDecimal() : 0m;
        }

        if (type == typeof(bool))
        {
            return v.ValueKind == JsonValueKind.True;
        }

        return v.Clone();
    }
}

/// <summary>Published versions are immutable, so each is parsed once per process.</summary>
internal sealed class DefinitionCache
{
    private readonly ConcurrentDictionary<(string, int), LoadedDefinition> loaded = new();

    public async Task<LoadedDefinition?> GetAsync(WorkflowsDbContext db, string definitionId, int version, CancellationToken ct)
    {
        if (loaded.TryGetValue((definitionId, version), out var hit))
        {
            return hit;
        }

        var json = await db.DefinitionVersions.AsNoTracking()
            .Where(v => v.DefinitionId == definitionId && v.Version == version)
            .Select(v => v.Json)
            .FirstOrDefaultAsync(ct);
        if (json is null || !WorkflowDefinitionJson.TryParse(json, out var document, out _))
        {
            return null;
        }

        return loaded.GetOrAdd((definitionId, version), _ => new LoadedDefinition(document));
    }
}
