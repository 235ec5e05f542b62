using System.Text;
using System.Text.Json;

namespace ClosedLoop.Workflows.Definitions;

/// <summary>
/// Validates a definition at save and at publish, listing every error with the activity id and a JSON path.
/// The rules are listed in docs/decisions/0037-workflow-definitions.md.
/// </summary>
public sealed class DefinitionValidator
{
    public const int MaxActivities = 200;
    public const int MaxVariables = 50;

    private readonly ActivityCatalog catalog;
    private readonly Dictionary<string, IDefinitionReferenceCheck> checks;

    public DefinitionValidator(ActivityCatalog catalog, IEnumerable<IDefinitionReferenceCheck> checks)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(checks);
        this.catalog = catalog;
        this.checks = new Dictionary<string, IDefinitionReferenceCheck>(StringComparer.Ordinal);
        foreach (var check in checks)
        {
            this.checks[check.Kind] = check;
        }
    }

    public async Task<IReadOnlyList<DefinitionError>> ValidateAsync(WorkflowDefinitionDocument d, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(d);
        var run = new Run(d, catalog);
        run.Validate();
        var errors = run.Errors;
        await CheckReferencesAsync(run.References, errors, ct).ConfigureAwait(false);
        return errors;
    }

    private async Task CheckReferencesAsync(List<PendingReference> references, List<DefinitionError> errors, CancellationToken ct)
    {
        var known = new Dictionary<(string Kind, string Value), bool>();
        foreach (var r in references)
        {
            if (!checks.TryGetValue(r.Kind, out var check))
            {
                errors.Add(new DefinitionError(r.ActivityId, r.Path, $"No module checks references of kind '{r.Kind}'; the value '{r.Value}' cannot be verified."));
                continue;
            }

            if (!known.TryGetValue((r.Kind, r.Value), out var exists))
            {
                exists = await check.ExistsAsync(r.Value, ct).ConfigureAwait(false);
                known[(r.Kind, r.Value)] = exists;
            }

            if (!exists)
            {
                errors.Add(new DefinitionError(r.ActivityId, r.Path, $"Unknown {r.Kind} '{r.Value}'."));
            }
        }
    }

    internal sealed record PendingReference(string Kind, string Value, string ActivityId, string Path);

    private sealed record Edge(int Source, string Port, int Target, int Connection);

    /// <summary>One validation pass; everything synchronous, reference lookups collected for afterwards.</summary>
    private sealed class Run(WorkflowDefinitionDocument d, ActivityCatalog catalog)
    {
        private readonly IReadOnlyList<WorkflowActivity> activities = d.Root.Activities;
        private readonly Dictionary<string, int> index = new(StringComparer.Ordinal);
        private readonly Dictionary<string, WorkflowVariable> variables = new(StringComparer.Ordinal);
        private ActivityDescriptor?[] descriptors = [];
        private bool[] inGraph = [];
        private readonly List<Edge> edges = [];

        public List<DefinitionError> Errors { get; } = [];

        public List<PendingReference> References { get; } = [];

        public void Validate()
        {
            Document();
            Variables();
            Activities();
            var start = StartAndEnd();
            Connections();
            var reached = Reachability(start);
            Dangling();
            Cycles();
            ImplicitJoins(start, reached);
        }

        private static string At(int i) => $"root.activities[{i}]";

        private void Error(string? activityId, string path, string message) => Errors.Add(new DefinitionError(activityId, path, message));

        private void Document()
        {
            if (!Identifiers.IsValidId(d.DefinitionId))
            {
                Error(null, "definitionId", "Must be 1-64 characters of [a-zA-Z0-9_-].");
            }

            if (string.IsNullOrWhiteSpace(d.Name))
            {
                Error(null, "name", "Required.");
            }

            if (activities.Count > MaxActivities)
            {
                Error(null, "root.activities", $"At most {MaxActivities} activities (found {activities.Count}).");
            }

            if (d.Variables.Count > MaxVariables)
            {
                Error(null, "variables", $"At most {MaxVariables} variables (found {d.Variables.Count}).");
            }

            if (Encoding.UTF8.GetByteCount(d.ToJson()) > WorkflowDefinitionJson.MaxJsonBytes)
            {
                Error(null, "$", $"The definition is larger than {WorkflowDefinitionJson.MaxJsonBytes / 1024} KB.");
            }
        }

        private void Variables()
        {
            for (var i = 0; i < d.Variables.Count; i++)
            {
                var v = d.Variables[i];
                if (!Identifiers.IsValidVariableName(v.Name))
                {
                    Error(null, $"variables[{i}].name", $"'{v.Name}' must be an identifier of at most 64 characters ([a-zA-Z_][a-zA-Z0-9_]*) and not a reserved word.");
                }
                else if (!variables.TryAdd(v.Name, v))
                {
                    Error(null, $"variables[{i}].name", $"Variable '{v.Name}' is declared twice.");
                }

                if (v.Value is { } value && !Matches(v.Type, value.ValueKind))
                {
                    Error(null, $"variables[{i}].value", $"The initial value is not a {v.Type}.");
                }
            }
        }

        private static bool Matches(VariableType type, JsonValueKind kind) => type switch
        {
            VariableType.String => kind == JsonValueKind.String,
            VariableType.Number => kind == JsonValueKind.Number,
            VariableType.Boolean => kind is JsonValueKind.True or JsonValueKind.False,
            _ => kind is JsonValueKind.Object or JsonValueKind.Array,
        };

        private void Activities()
        {
            descriptors = new ActivityDescriptor?[activities.Count];
            inGraph = new bool[activities.Count];
            for (var i = 0; i < activities.Count; i++)
            {
                var a = activities[i];
                if (string.IsNullOrEmpty(a.Id))
                {
                    Error(null, At(i) + ".id", "An activity needs an id.");
                }
                else if (!Identifiers.IsValidId(a.Id))
                {
                    Error(a.Id, At(i) + ".id", "An id must be 1-64 characters of [a-zA-Z0-9_-].");
                }
                else if (!index.TryAdd(a.Id, i))
                {
                    Error(a.Id, At(i) + ".id", $"Duplicate id '{a.Id}' (first used by root.activities[{index[a.Id]}]).");
                }
                else
                {
                    inGraph[i] = true;
                }

                if (!catalog.TryGet(a.Type, out var descriptor))
                {
                    Error(NullIfEmpty(a.Id), At(i) + ".type", $"Unknown activity type '{a.Type}'.");
                    continue;
                }

                descriptors[i] = descriptor;
                Inputs(i, a, descriptor);
            }
        }

        private static string? NullIfEmpty(string id) => id.Length == 0 ? null : id;

        private void Inputs(int i, WorkflowActivity a, ActivityDescriptor descriptor)
        {
            var id = NullIfEmpty(a.Id);
            foreach (var name in a.Inputs.Keys.Where(k => descriptor.Inputs.All(input => input.Name != k)).Order(StringComparer.Ordinal))
            {
                Error(id, $"{At(i)}.{name}", $"{descriptor.Type} has no input '{name}'.");
            }

            foreach (var input in descriptor.Inputs)
            {
                var path = $"{At(i)}.{input.Name}";
                if (!a.Inputs.TryGetValue(input.Name, out var expression)
                    || (expression.Type == WorkflowExpressionType.Literal && expression.Value.ValueKind == JsonValueKind.Null))
                {
                    if (input.Required)
                    {
                        Error(id, path, $"Required input '{input.Name}' is missing.");
                    }

                    continue;
                }

                new InputCheck(this, id ?? string.Empty, path, input).Check(expression);
            }

            if (descriptor.Type == BuiltInActivities.SetVariable
                && a.Inputs.TryGetValue("variable", out var target) && target.Value.ValueKind == JsonValueKind.String
                && variables.TryGetValue(target.Value.GetString()!, out var variable)
                && a.Inputs.TryGetValue("value", out var value) && value.Type == WorkflowExpressionType.Literal
                && value.Value.ValueKind != JsonValueKind.Null && !Matches(variable.Type, value.Value.ValueKind))
            {
                Error(id, $"{At(i)}.value", $"Variable '{variable.Name}' is a {variable.Type}; the literal does not fit.");
            }
        }

        /// <summary>Returns the Start's index when there is exactly one.</summary>
        private int? StartAndEnd()
        {
            var starts = Enumerable.Range(0, activities.Count).Where(i => descriptors[i]?.Kind == ActivityKind.Start).ToList();
            if (starts.Count == 0)
            {
                Error(null, "root.activities", "A loop needs exactly one Start activity (found none).");
            }

            foreach (var extra in starts.Skip(1))
            {
                Error(NullIfEmpty(activities[extra].Id), At(extra), "A loop needs exactly one Start activity; this is another one.");
            }

            if (!descriptors.Any(x => x?.Kind == ActivityKind.End))
            {
                Error(null, "root.activities", "A loop needs at least one End activity.");
            }

            return starts.Count == 1 && inGraph[starts[0]] ? starts[0] : null;
        }

        internal IReadOnlyList<string> PortsOf(int i)
        {
            var descriptor = descriptors[i]!;
            if (descriptor.PortsFromInput is { } input && activities[i].Inputs.TryGetValue(input, out var cases)
                && cases.Type == WorkflowExpressionType.Literal && cases.Value.ValueKind == JsonValueKind.Array)
            {
                var labels = cases.Value.EnumerateArray()
                    .Where(c => c.ValueKind == JsonValueKind.Object && c.TryGetProperty("label", out var l) && l.ValueKind == JsonValueKind.String)
                    .Select(c => c.GetProperty("label").GetString()!);
                return [.. descriptor.Ports, .. labels.Where(l => !descriptor.Ports.Contains(l, StringComparer.Ordinal)).Distinct(StringComparer.Ordinal)];
            }

            return descriptor.Ports;
        }

        private readonly HashSet<(int, string)> declaredPorts = [];

        private void Connections()
        {
            var used = new Dictionary<(int, string), int>();
            for (var c = 0; c < d.Root.Connections.Count; c++)
            {
                var connection = d.Root.Connections[c];
                var path = $"root.connections[{c}]";
                var owner = NullIfEmpty(connection.Source.Activity);
                var ok = true;
                if (!index.TryGetValue(connection.Source.Activity, out var source))
                {
                    Error(owner, path + ".source.activity", $"Unknown activity '{connection.Source.Activity}'.");
                    ok = false;
                }
                else if (descriptors[source] is not null && !PortsOf(source).Contains(connection.Source.Port, StringComparer.Ordinal))
                {
                    var ports = PortsOf(source);
                    Error(owner, path + ".source.port", $"{activities[source].Type} has no port '{connection.Source.Port}'"
                        + (ports.Count == 0 ? " (it has none)." : $" (ports: {string.Join(", ", ports)})."));
                    ok = false;
                }
                else
                {
                    declaredPorts.Add((source, connection.Source.Port));
                }

                if (!index.TryGetValue(connection.Target.Activity, out var target))
                {
                    Error(owner, path + ".target.activity", $"Unknown activity '{connection.Target.Activity}'.");
                    ok = false;
                }
                else if (descriptors[target]?.Kind == ActivityKind.Start)
                {
                    Error(owner, path + ".target.activity", "Nothing may connect into the Start activity.");
                    ok = false;
                }

                if (connection.Target.Port != ConnectionEndpoint.InPort)
                {
                    Error(owner, path + ".target.port", $"The target port must be '{ConnectionEndpoint.InPort}'.");
                    ok = false;
                }

                // An activity of unknown type is reported once; its connections still count, so the graph rules do not cascade.
                if (!ok)
                {
                    continue;
                }

                if (used.TryGetValue((source, connection.Source.Port), out var first) && descriptors[source]?.Kind != ActivityKind.Fork)
                {
                    Error(owner, path, $"Port '{connection.Source.Port}' of '{connection.Source.Activity}' is already connected (root.connections[{first}]); fan out with a FlowFork.");
                    continue;
                }

                used.TryAdd((source, connection.Source.Port), c);
                edges.Add(new Edge(source, connection.Source.Port, target, c));
            }
        }

        private bool[] Reachability(int? start)
        {
            var reached = new bool[activities.Count];
            if (start is not { } s)
            {
                return reached;
            }

            var queue = new Queue<int>([s]);
            reached[s] = true;
            while (queue.TryDequeue(out var n))
            {
                foreach (var e in edges.Where(e => e.Source == n && !reached[e.Target]))
                {
                    reached[e.Target] = true;
                    queue.Enqueue(e.Target);
                }
            }

            for (var i = 0; i < activities.Count; i++)
            {
                if (inGraph[i] && !reached[i])
                {
                    Error(activities[i].Id, At(i), "Unreachable: no path from Start leads here.");
                }
            }

            return reached;
        }

        /// <summary>A Decision must connect every port; any other activity but End must connect at least one.</summary>
        private void Dangling()
        {
            for (var i = 0; i < activities.Count; i++)
            {
                if (!inGraph[i] || descriptors[i] is not { } descriptor || descriptor.Kind == ActivityKind.End)
                {
                    continue;
                }

                if (descriptor.Kind == ActivityKind.Decision)
                {
                    foreach (var port in PortsOf(i).Where(p => !declaredPorts.Contains((i, p))))
                    {
                        Error(activities[i].Id, At(i), $"Port '{port}' is not connected; every port of a {descriptor.Type} must be.");
                    }
                }
                else if (PortsOf(i).All(p => !declaredPorts.Contains((i, p))))
                {
                    Error(activities[i].Id, At(i), "No outgoing connection: every path must end at an End activity.");
                }
            }
        }

        /// <summary>Every strongly connected component that loops must contain a Wait, or the instance would spin.</summary>
        private void Cycles()
        {
            foreach (var component in StronglyConnected())
            {
                var loops = component.Count > 1 || edges.Any(e => e.Source == component[0] && e.Target == component[0]);
                if (!loops || component.Any(i => descriptors[i] is null or { Kind: ActivityKind.Wait }))
                {
                    continue;
                }

                var first = component.Min();
                var members = string.Join(" → ", component.Order().Select(i => activities[i].Id));
                Error(activities[first].Id, At(first), $"Cycle without a waiting activity ({members}): it would run forever without pausing.");
            }
        }

        private List<List<int>> StronglyConnected()
        {
            // Tarjan; at most 200 nodes, so recursion depth is bounded.
            var result = new List<List<int>>();
            var order = new int[activities.Count];
            var low = new int[activities.Count];
            var onStack = new bool[activities.Count];
            var stack = new Stack<int>();
            Array.Fill(order, -1);
            var counter = 0;

            void Visit(int v)
            {
                order[v] = low[v] = counter++;
                stack.Push(v);
                onStack[v] = true;
                foreach (var w in edges.Where(e => e.Source == v).Select(e => e.Target))
                {
                    if (order[w] < 0)
                    {
                        Visit(w);
                        low[v] = Math.Min(low[v], low[w]);
                    }
                    else if (onStack[w])
                    {
                        low[v] = Math.Min(low[v], order[w]);
                    }
                }

                if (low[v] == order[v])
                {
                    var component = new List<int>();
                    int w;
                    do
                    {
                        w = stack.Pop();
                        onStack[w] = false;
                        component.Add(w);
                    }
                    while (w != v);
                    result.Add(component);
                }
            }

            for (var i = 0; i < activities.Count; i++)
            {
                if (inGraph[i] && order[i] < 0)
                {
                    Visit(i);
                }
            }

            return result;
        }

        /// <summary>
        /// A node entered by two or more connections must be a FlowJoin (or an End). Loop-backs do not count: an edge that
        /// closes a cycle (a back edge of a depth-first walk from Start) re-enters the node with the same token, and
        /// <see cref="Cycles"/> already demands a Wait in that cycle. Edges from unreachable activities do not count either.
        /// </summary>
        private void ImplicitJoins(int? start, bool[] reached)
        {
            if (start is not { } s)
            {
                return;
            }

            var backEdges = new HashSet<Edge>();
            var state = new byte[activities.Count]; // 0 new, 1 on the walk, 2 done
            void Walk(int v)
            {
                state[v] = 1;
                foreach (var e in edges.Where(e => e.Source == v))
                {
                    if (state[e.Target] == 1)
                    {
                        backEdges.Add(e);
                    }
                    else if (state[e.Target] == 0)
                    {
                        Walk(e.Target);
                    }
                }

                state[v] = 2;
            }

            Walk(s);
            for (var i = 0; i < activities.Count; i++)
            {
                if (descriptors[i]?.Kind is null or ActivityKind.Join or ActivityKind.End)
                {
                    continue;
                }

                var incoming = edges.Where(e => e.Target == i && reached[e.Source] && !backEdges.Contains(e)).ToList();
                if (incoming.Count > 1)
                {
                    var from = string.Join(", ", incoming.Select(e => $"{activities[e.Source].Id}.{e.Port}"));
                    Error(activities[i].Id, At(i), $"{incoming.Count} connections enter here ({from}): merge them with a FlowJoin.");
                }
            }
        }

        internal bool IsDeclaredVariable(string name, out WorkflowVariable? variable) => variables.TryGetValue(name, out variable);

        internal IReadOnlyList<WorkflowVariable> DeclaredVariables => d.Variables;

        internal void Report(string? activityId, string path, string message) => Error(NullIfEmpty(activityId ?? string.Empty), path, message);

        internal void Reference(string kind, string value, string activityId, string path) => References.Add(new PendingReference(kind, value, activityId, path));

        /// <summary>One input's expression against the input's declared type.</summary>
        private sealed class InputCheck(Run run, string activityId, string path, ActivityInput input)
        {
            private bool LiteralOnly => input.ReferenceKind is not null || input.Type is InputType.Enum or InputType.SwitchCases;

            public void Check(WorkflowExpression expression)
            {
                if (expression.Type != WorkflowExpressionType.Literal && LiteralOnly)
                {
                    Report($"'{input.Name}' accepts only a Literal (got {expression.Type}).");
                    return;
                }

                switch (expression.Type)
                {
                    case WorkflowExpressionType.Literal:
                        Literal(expression.Value);
                        break;
                    case WorkflowExpressionType.Variable:
                        Variable(expression.Value);
                        break;
                    default:
                        Expression(expression.Value);
                        break;
                }
            }

            private void Report(string message, string? at = null) => run.Report(activityId, at ?? path, message);

            private void Literal(JsonElement value)
            {
                var ok = input.Type switch
                {
                    InputType.String => value.ValueKind == JsonValueKind.String,
                    InputType.Number => value.ValueKind == JsonValueKind.Number,
                    InputType.Boolean => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
                    InputType.TimeSpan => value.ValueKind == JsonValueKind.String && WorkflowDurations.TryParseLiteral(value.GetString()!, out _),
                    InputType.StringList => value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(x => x.ValueKind == JsonValueKind.String),
                    InputType.Enum => value.ValueKind == JsonValueKind.String && input.AllowedValues!.Contains(value.GetString()!, StringComparer.Ordinal),
                    InputType.SwitchCases => SwitchCases(value),
                    _ => true,
                };
                if (!ok)
                {
                    if (input.Type != InputType.SwitchCases)
                    {
                        Report($"'{input.Name}' must be {Describe()}.");
                    }

                    return;
                }

                if (input.ReferenceKind is { } kind)
                {
                    var values = value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().Select(x => x.GetString()!) : [value.GetString()!];
                    foreach (var v in values)
                    {
                        if (kind == BuiltInActivities.VariableReference)
                        {
                            if (!run.IsDeclaredVariable(v, out _))
                            {
                                Report($"Variable '{v}' is not declared.");
                            }
                        }
                        else
                        {
                            run.Reference(kind, v, activityId, path);
                        }
                    }
                }
            }

            private string Describe() => input.Type switch
            {
                InputType.String => "a string",
                InputType.Number => "a number",
                InputType.Boolean => "true or false",
                InputType.TimeSpan => "a duration \"hh:mm:ss\" or \"d.hh:mm:ss\"",
                InputType.StringList => "an array of strings",
                InputType.Enum => $"one of {string.Join(", ", input.AllowedValues!)}",
                _ => "a value",
            };

            private bool SwitchCases(JsonElement value)
            {
                if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0)
                {
                    Report($"'{input.Name}' must be a non-empty array of {{ \"label\": ..., \"condition\": ... }}.");
                    return false;
                }

                var ok = true;
                var labels = new HashSet<string>(StringComparer.Ordinal);
                var i = 0;
                foreach (var item in value.EnumerateArray())
                {
                    var at = $"{path}.expression.value[{i++}]";
                    if (item.ValueKind != JsonValueKind.Object
                        || !item.TryGetProperty("label", out var label) || label.ValueKind != JsonValueKind.String
                        || !item.TryGetProperty("condition", out var condition) || condition.ValueKind != JsonValueKind.String
                        || item.EnumerateObject().Count() != 2)
                    {
                        Report("A case is { \"label\": \"port-name\", \"condition\": \"a boolean expression\" }.", at);
                        ok = false;
                        continue;
                    }

                    var name = label.GetString()!;
                    if (!Identifiers.IsValidId(name) || name == "Default" || !labels.Add(name))
                    {
                        Report($"Case label '{name}' must be a unique port name of [a-zA-Z0-9_-], not 'Default'.", at + ".label");
                        ok = false;
                    }

                    if (!Compile(condition.GetString()!, at + ".condition", InputType.Boolean))
                    {
                        ok = false;
                    }
                }

                return ok;
            }

            private void Variable(JsonElement value)
            {
                if (value.ValueKind != JsonValueKind.String)
                {
                    Report("A Variable expression's value is the variable's name (a string).");
                    return;
                }

                var name = value.GetString()!;
                if (!run.IsDeclaredVariable(name, out var variable))
                {
                    Report($"Variable '{name}' is not declared.");
                    return;
                }

                var fits = input.Type switch
                {
                    InputType.String or InputType.TimeSpan => variable!.Type == VariableType.String,
                    InputType.Number => variable!.Type == VariableType.Number,
                    InputType.Boolean => variable!.Type == VariableType.Boolean,
                    InputType.StringList => variable!.Type == VariableType.Object,
                    _ => true,
                };
                if (!fits)
                {
                    Report($"Variable '{name}' is a {variable!.Type}; '{input.Name}' needs {Describe()}.");
                }
            }

            private void Expression(JsonElement value)
            {
                if (value.ValueKind != JsonValueKind.String)
                {
                    Report("An Expression's value is the expression text (a string).");
                    return;
                }

                Compile(value.GetString()!, path, input.Type);
            }

            private bool Compile(string text, string at, InputType type)
            {
                if (!WorkflowExpressionCompiler.TryCompile(text, run.DeclaredVariables, out var lambda, out var error))
                {
                    Report(error!, at);
                    return false;
                }

                var result = lambda!.ReturnType;
                var bare = Nullable.GetUnderlyingType(result) ?? result;
                var fits = type switch
                {
                    InputType.Boolean => result == typeof(bool),
                    InputType.Number => bare.IsPrimitive && bare != typeof(bool) && bare != typeof(char) || bare == typeof(decimal),
                    InputType.String => result == typeof(string),
                    InputType.TimeSpan => bare == typeof(TimeSpan),
                    InputType.StringList => typeof(IEnumerable<string>).IsAssignableFrom(result),
                    _ => true,
                };
                if (!fits)
                {
                    Report($"The expression yields {result.Name}; '{input.Name}' needs {(type == InputType.Boolean ? "a Boolean" : Describe())}.", at);
                    return false;
                }

                return true;
            }
        }
    }

}
