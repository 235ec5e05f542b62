using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;

namespace ClosedLoop.Workflows.Definitions;

/// <summary>
/// Reads and writes the Elsa-shaped JSON. Strict: unknown properties are errors (a typo must not vanish silently),
/// except on activities, where every property other than id, type and name is an input.
/// </summary>
public static class WorkflowDefinitionJson
{
    public const int MaxJsonBytes = 256 * 1024;
    private const int MaxDepth = 32;

    private static readonly JsonWriterOptions WriterOptions = new() { Indented = true };

    public static bool TryParse(string json, [NotNullWhen(true)] out WorkflowDefinitionDocument? document, out IReadOnlyList<DefinitionError> errors)
    {
        ArgumentNullException.ThrowIfNull(json);
        document = null;
        if (Encoding.UTF8.GetByteCount(json) > MaxJsonBytes)
        {
            errors = [new DefinitionError(null, "$", $"The definition is larger than {MaxJsonBytes / 1024} KB.")];
            return false;
        }

        JsonDocument parsed;
        try
        {
            parsed = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = MaxDepth });
        }
        catch (JsonException ex)
        {
            errors = [new DefinitionError(null, string.IsNullOrEmpty(ex.Path) ? "$" : ex.Path, $"Malformed JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}).")];
            return false;
        }

        using (parsed)
        {
            var reader = new Reader();
            document = reader.Document(parsed.RootElement);
            errors = reader.Errors;
            if (errors.Count > 0)
            {
                document = null;
            }

            return document is not null;
        }
    }

    internal static string Write(WorkflowDefinitionDocument d)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("definitionId", d.DefinitionId);
            w.WriteNumber("version", d.Version);
            w.WriteBoolean("isLatest", d.IsLatest);
            w.WriteBoolean("isPublished", d.IsPublished);
            w.WriteString("name", d.Name);
            if (d.Description is not null)
            {
                w.WriteString("description", d.Description);
            }

            w.WriteStartArray("variables");
            foreach (var v in d.Variables)
            {
                w.WriteStartObject();
                w.WriteString("name", v.Name);
                w.WriteString("type", v.Type.ToString());
                if (v.Value is { } value)
                {
                    w.WritePropertyName("value");
                    value.WriteTo(w);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartObject("root");
            w.WriteString("type", Flowchart.TypeName);
            w.WriteStartArray("activities");
            foreach (var a in d.Root.Activities)
            {
                w.WriteStartObject();
                w.WriteString("id", a.Id);
                w.WriteString("type", a.Type);
                if (a.Name is not null)
                {
                    w.WriteString("name", a.Name);
                }

                if (a.Metadata is { } metadata)
                {
                    w.WritePropertyName("metadata");
                    metadata.WriteTo(w);
                }

                if (a.CustomProperties is { } custom)
                {
                    w.WritePropertyName("customProperties");
                    custom.WriteTo(w);
                }

                foreach (var (name, expression) in a.Inputs.OrderBy(i => i.Key, StringComparer.Ordinal))
                {
                    w.WriteStartObject(name);
                    w.WriteStartObject("expression");
                    w.WriteString("type", expression.Type.ToString());
                    w.WritePropertyName("value");
                    expression.Value.WriteTo(w);
                    w.WriteEndObject();
                    w.WriteEndObject();
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("connections");
            foreach (var c in d.Root.Connections)
            {
                w.WriteStartObject();
                WriteEndpoint(w, "source", c.Source);
                WriteEndpoint(w, "target", c.Target);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteEndpoint(Utf8JsonWriter w, string name, ConnectionEndpoint e)
    {
        w.WriteStartObject(name);
        w.WriteString("activity", e.Activity);
        w.WriteString("port", e.Port);
        w.WriteEndObject();
    }

    /// <summary>Collects every shape error rather than stopping at the first.</summary>
    private sealed class Reader
    {
        private readonly List<DefinitionError> errors = [];

        public IReadOnlyList<DefinitionError> Errors => errors;

        public WorkflowDefinitionDocument? Document(JsonElement e)
        {
            if (!Object(e, "$", null, ["definitionId", "version", "isLatest", "isPublished", "name", "description", "variables", "root"]))
            {
                return null;
            }

            var definitionId = String(e, "definitionId", "definitionId", null, required: true);
            var version = 1;
            if (e.TryGetProperty("version", out var v))
            {
                if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out version) || version < 1)
                {
                    Error(null, "version", "Must be a whole number of at least 1.");
                }
            }

            var isLatest = Bool(e, "isLatest");
            var isPublished = Bool(e, "isPublished");
            var name = String(e, "name", "name", null, required: true);
            var description = String(e, "description", "description", null, required: false);
            var variables = new List<WorkflowVariable>();
            if (e.TryGetProperty("variables", out var vars))
            {
                if (vars.ValueKind != JsonValueKind.Array)
                {
                    Error(null, "variables", "Must be an array.");
                }
                else
                {
                    var i = 0;
                    foreach (var item in vars.EnumerateArray())
                    {
                        if (Variable(item, $"variables[{i++}]") is { } variable)
                        {
                            variables.Add(variable);
                        }
                    }
                }
            }

            Flowchart? root = null;
            if (!e.TryGetProperty("root", out var r))
            {
                Error(null, "root", "Required.");
            }
            else
            {
                root = Root(r);
            }

            return definitionId is null || name is null || root is null
                ? null
                : new WorkflowDefinitionDocument(definitionId, version, isLatest, isPublished, name, description, variables, root);
        }

        private WorkflowVariable? Variable(JsonElement e, string path)
        {
            if (!Object(e, path, null, ["name", "type", "value"]))
            {
                return null;
            }

            var name = String(e, "name", path + ".name", null, required: true);
            var typeText = String(e, "type", path + ".type", null, required: true);
            VariableType type = default;
            if (typeText is not null && (!Enum.TryParse(typeText, ignoreCase: false, out type) || !Enum.IsDefined(type)))
            {
                Error(null, path + ".type", $"Unknown variable type '{typeText}'; expected String, Number, Boolean or Object.");
                typeText = null;
            }

            JsonElement? value = e.TryGetProperty("value", out var val) && val.ValueKind != JsonValueKind.Null ? val.Clone() : null;
            return name is null || typeText is null ? null : new WorkflowVariable(name, type, value);
        }

        private Flowchart? Root(JsonElement e)
        {
            if (!Object(e, "root", null, ["type", "activities", "connections"]))
            {
                return null;
            }

            var type = String(e, "type", "root.type", null, required: true);
            if (type is not null && type != Flowchart.TypeName)
            {
                Error(null, "root.type", $"Must be '{Flowchart.TypeName}'.");
            }

            var activities = new List<WorkflowActivity>();
            var ok = true;
            if (!e.TryGetProperty("activities", out var acts) || acts.ValueKind != JsonValueKind.Array)
            {
                Error(null, "root.activities", "Required; must be an array.");
                ok = false;
            }
            else
            {
                var i = 0;
                foreach (var item in acts.EnumerateArray())
                {
                    var activity = Activity(item, $"root.activities[{i++}]");
                    if (activity is null)
                    {
                        ok = false;
                    }
                    else
                    {
                        activities.Add(activity);
                    }
                }
            }

            var connections = new List<WorkflowConnection>();
            if (e.TryGetProperty("connections", out var cons))
            {
                if (cons.ValueKind != JsonValueKind.Array)
                {
                    Error(null, "root.connections", "Must be an array.");
                    ok = false;
                }
                else
                {
                    var i = 0;
                    foreach (var item in cons.EnumerateArray())
                    {
                        var connection = Connection(item, $"root.connections[{i++}]");
                        if (connection is null)
                        {
                            ok = false;
                        }
                        else
                        {
                            connections.Add(connection);
                        }
                    }
                }
            }

            return ok && type == Flowchart.TypeName ? new Flowchart(activities, connections) : null;
        }

        private WorkflowActivity? Activity(JsonElement e, string path)
        {
            if (!Object(e, path, null, null))
            {
                return null;
            }

            var id = String(e, "id", path + ".id", null, required: true);
            var type = String(e, "type", path + ".type", id, required: true);
            var name = String(e, "name", path + ".name", id, required: false);
            var inputs = new Dictionary<string, WorkflowExpression>(StringComparer.Ordinal);
            var designer = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            var ok = true;
            foreach (var property in e.EnumerateObject())
            {
                if (property.Name is "id" or "type" or "name")
                {
                    continue;
                }

                if (WorkflowActivity.DesignerProperties.Contains(property.Name))
                {
                    if (property.Value.ValueKind != JsonValueKind.Object)
                    {
                        Error(id, $"{path}.{property.Name}", $"'{property.Name}' is designer data: a JSON object.");
                        ok = false;
                    }
                    else
                    {
                        designer[property.Name] = property.Value.Clone();
                    }

                    continue;
                }

                var inputPath = $"{path}.{property.Name}";
                var expression = Input(property.Value, inputPath, id);
                if (expression is null)
                {
                    ok = false;
                }
                else if (!inputs.TryAdd(property.Name, expression))
                {
                    Error(id, inputPath, "Duplicate property.");
                    ok = false;
                }
            }

            return ok && id is not null && type is not null
                ? new WorkflowActivity(id, type, name, inputs)
                {
                    Metadata = designer.TryGetValue("metadata", out var metadata) ? metadata : null,
                    CustomProperties = designer.TryGetValue("customProperties", out var custom) ? custom : null,
                }
                : null;
        }

        private WorkflowExpression? Input(JsonElement e, string path, string? activityId)
        {
            const string Shape = "An input must be { \"expression\": { \"type\": \"Literal|Variable|Expression\", \"value\": ... } }.";
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty("expression", out var x) || x.ValueKind != JsonValueKind.Object
                || e.EnumerateObject().Count() != 1)
            {
                Error(activityId, path, Shape);
                return null;
            }

            if (!Object(x, path + ".expression", activityId, ["type", "value"]))
            {
                return null;
            }

            var typeText = String(x, "type", path + ".expression.type", activityId, required: true);
            if (typeText is null)
            {
                return null;
            }

            if (!Enum.TryParse<WorkflowExpressionType>(typeText, ignoreCase: false, out var type) || !Enum.IsDefined(type))
            {
                Error(activityId, path + ".expression.type", $"Unknown expression type '{typeText}'; expected Literal, Variable or Expression.");
                return null;
            }

            if (!x.TryGetProperty("value", out var value))
            {
                Error(activityId, path + ".expression.value", "Required.");
                return null;
            }

            return new WorkflowExpression(type, value.Clone());
        }

        private WorkflowConnection? Connection(JsonElement e, string path)
        {
            if (!Object(e, path, null, ["source", "target"]))
            {
                return null;
            }

            var source = Endpoint(e, "source", path, portRequired: true);
            var target = Endpoint(e, "target", path, portRequired: false);
            return source is null || target is null ? null : new WorkflowConnection(source, target);
        }

        private ConnectionEndpoint? Endpoint(JsonElement e, string property, string path, bool portRequired)
        {
            path = $"{path}.{property}";
            if (!e.TryGetProperty(property, out var p))
            {
                Error(null, path, "Required.");
                return null;
            }

            if (!Object(p, path, null, ["activity", "port"]))
            {
                return null;
            }

            var activity = String(p, "activity", path + ".activity", null, required: true);
            var port = String(p, "port", path + ".port", activity, required: portRequired) ?? (portRequired ? null : ConnectionEndpoint.InPort);
            return activity is null || port is null ? null : new ConnectionEndpoint(activity, port);
        }

        private bool Object(JsonElement e, string path, string? activityId, string[]? allowed)
        {
            if (e.ValueKind != JsonValueKind.Object)
            {
                Error(activityId, path, "Must be an object.");
                return false;
            }

            var ok = true;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in e.EnumerateObject())
            {
                var at = path == "$" ? property.Name : $"{path}.{property.Name}";
                if (allowed is not null && !allowed.Contains(property.Name, StringComparer.Ordinal))
                {
                    Error(activityId, at, "Unknown property.");
                    ok = false;
                }
                else if (!seen.Add(property.Name))
                {
                    Error(activityId, at, "Duplicate property.");
                    ok = false;
                }
            }

            return ok;
        }

        private string? String(JsonElement e, string property, string path, string? activityId, bool required)
        {
            if (!e.TryGetProperty(property, out var value) || (!required && value.ValueKind == JsonValueKind.Null))
            {
                if (required)
                {
                    Error(activityId, path, "Required.");
                }

                return null;
            }

            if (value.ValueKind != JsonValueKind.String)
            {
                Error(activityId, path, "Must be a string.");
                return null;
            }

            return value.GetString();
        }

        private bool Bool(JsonElement e, string property)
        {
            if (!e.TryGetProperty(property, out var value))
            {
                return false;
            }

            if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                return value.GetBoolean();
            }

            Error(null, property, "Must be true or false.");
            return false;
        }

        private void Error(string? activityId, string path, string message) => errors.Add(new DefinitionError(activityId, path, message));
    }
}
