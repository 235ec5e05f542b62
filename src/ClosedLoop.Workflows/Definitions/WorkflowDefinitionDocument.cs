using System.Text.Json;

namespace ClosedLoop.Workflows.Definitions;

/// <summary>
/// A parsed loop definition in Elsa's JSON shape. Immutable; collections are read-only snapshots, so compare two
/// documents by <see cref="ToJson"/>, not by record equality.
/// </summary>
public sealed record WorkflowDefinitionDocument(
    string DefinitionId,
    int Version,
    bool IsLatest,
    bool IsPublished,
    string Name,
    string? Description,
    IReadOnlyList<WorkflowVariable> Variables,
    Flowchart Root)
{
    /// <summary>Canonical JSON: camelCase, fixed property order, inputs sorted by name, indented.</summary>
    public string ToJson() => WorkflowDefinitionJson.Write(this);
}

/// <summary>A declared variable; <paramref name="Value"/> is its initial JSON value (null when absent).</summary>
public sealed record WorkflowVariable(string Name, VariableType Type, JsonElement? Value);

public enum VariableType
{
    String,
    Number,
    Boolean,
    Object,
}

/// <summary>The root of a definition: always Elsa's <c>Flowchart</c>.</summary>
public sealed record Flowchart(IReadOnlyList<WorkflowActivity> Activities, IReadOnlyList<WorkflowConnection> Connections)
{
    public const string TypeName = "Flowchart";
}

/// <summary>
/// One node. Every JSON property other than id, type, name and Elsa's designer properties (<see cref="Metadata"/>,
/// <see cref="CustomProperties"/>) is an input.
/// </summary>
public sealed record WorkflowActivity(string Id, string Type, string? Name, IReadOnlyDictionary<string, WorkflowExpression> Inputs)
{
    /// <summary>The JSON properties kept for designers and never read by the engine.</summary>
    public static readonly IReadOnlySet<string> DesignerProperties = new HashSet<string>(StringComparer.Ordinal) { "metadata", "customProperties" };

    public string DisplayName => string.IsNullOrWhiteSpace(Name) ? Id : Name;

    /// <summary>Elsa's designer data (<c>{"designer": {"position": …}}</c>): kept as given, never read by the engine.</summary>
    public JsonElement? Metadata { get; init; }

    /// <summary>Elsa's free-form custom properties: kept as given, never read by the engine.</summary>
    public JsonElement? CustomProperties { get; init; }
}

/// <summary>An input value: <c>{ "expression": { "type": ..., "value": ... } }</c>.</summary>
public sealed record WorkflowExpression(WorkflowExpressionType Type, JsonElement Value)
{
    public static WorkflowExpression Literal(JsonElement value) => new(WorkflowExpressionType.Literal, value);
}

public enum WorkflowExpressionType
{
    /// <summary>A JSON value of the input's type.</summary>
    Literal,

    /// <summary>A string naming a declared variable.</summary>
    Variable,

    /// <summary>A System.Linq.Dynamic.Core expression over the variables and <c>case</c> (see <see cref="WorkflowExpressionCompiler"/>).</summary>
    Expression,
}

public sealed record WorkflowConnection(ConnectionEndpoint Source, ConnectionEndpoint Target);

public sealed record ConnectionEndpoint(string Activity, string Port)
{
    /// <summary>The only input port: a token enters an activity through it.</summary>
    public const string InPort = "In";
}

/// <summary>One problem with a definition. <paramref name="Path"/> is a JSON path such as <c>root.activities[3].template</c> ("$" for the whole document).</summary>
public sealed record DefinitionError(string? ActivityId, string Path, string Message);
