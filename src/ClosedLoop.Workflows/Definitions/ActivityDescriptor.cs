namespace ClosedLoop.Workflows.Definitions;

/// <summary>
/// What the engine knows of an activity type: its inputs, its output ports and its kind. The engine registers the
/// control-flow activities; modules register theirs through <see cref="WorkflowServiceCollectionExtensions.AddWorkflowActivity"/>.
/// </summary>
public sealed record ActivityDescriptor(string Type, string Description, IReadOnlyList<ActivityInput> Inputs, IReadOnlyList<string> Ports, ActivityKind Kind)
{
    /// <summary>
    /// When set, names a <see cref="InputType.SwitchCases"/> input whose case labels are further output ports (FlowSwitch).
    /// </summary>
    public string? PortsFromInput { get; init; }
}

/// <summary>
/// One input. <paramref name="ReferenceKind"/> names what a literal value refers to ("template", "team", "rootCause"):
/// such inputs accept only literals, checked by the <see cref="IDefinitionReferenceCheck"/> of that kind.
/// </summary>
public sealed record ActivityInput(string Name, InputType Type, bool Required, string Description, IReadOnlyList<string>? AllowedValues = null, string? ReferenceKind = null);

public enum InputType
{
    String,
    Number,
    Boolean,

    /// <summary>A string "hh:mm:ss" or "d.hh:mm:ss".</summary>
    TimeSpan,

    /// <summary>A JSON array of strings.</summary>
    StringList,

    /// <summary>A string from <see cref="ActivityInput.AllowedValues"/>; literal only.</summary>
    Enum,

    /// <summary>Any JSON value.</summary>
    Any,

    /// <summary>Literal only: <c>[ { "label": "port-name", "condition": "a boolean expression" } ]</c>.</summary>
    SwitchCases,
}

public enum ActivityKind
{
    Normal,

    /// <summary>Creates a bookmark (timer, case event, reply): the only thing that may break a cycle.</summary>
    Wait,
    Join,
    Fork,
    Start,
    End,
    Decision,
}

/// <summary>Implemented by modules: does a template key, a team, a root cause… exist?</summary>
public interface IDefinitionReferenceCheck
{
    string Kind { get; }

    Task<bool> ExistsAsync(string value, CancellationToken ct);
}
