namespace ClosedLoop.Workflows.Definitions;

/// <summary>The control-flow activities the engine itself provides. Everything that touches a case comes from a module.</summary>
public static class BuiltInActivities
{
    public const string Start = "Start";
    public const string End = "End";
    public const string FlowDecision = "FlowDecision";
    public const string FlowSwitch = "FlowSwitch";
    public const string FlowFork = "FlowFork";
    public const string FlowJoin = "FlowJoin";
    public const string SetVariable = "SetVariable";
    public const string Delay = "Delay";

    /// <summary>The reference kind of SetVariable's <c>variable</c> input: checked against the definition's own variables.</summary>
    public const string VariableReference = "variable";

    public static IReadOnlyList<ActivityDescriptor> All { get; } =
    [
        new(Start, "Where a token starts. Exactly one per loop.", [], ["Done"], ActivityKind.Start),
        new(End, "Finishes the loop instance (any token reaching it ends the instance).", [], [], ActivityKind.End),
        new(FlowDecision, "Routes the token to True or False. Both ports must be connected.",
            [new("condition", InputType.Boolean, true, "A boolean: literal, variable or expression.")], ["True", "False"], ActivityKind.Decision),
        new(FlowSwitch, "Routes the token to the first case whose condition holds, else to Default. Every port must be connected.",
            [new("cases", InputType.SwitchCases, true, "[{ label, condition }]; each label becomes a port.")], ["Default"], ActivityKind.Decision)
        { PortsFromInput = "cases" },
        new(FlowFork, "Sends a token down every connection of its Done port (the only port that may fan out).", [], ["Done"], ActivityKind.Fork),
        new(FlowJoin, "Merges tokens: WaitAll (default) waits for every incoming branch, WaitAny continues with the first.",
            [new("mode", InputType.Enum, false, "WaitAll or WaitAny.", ["WaitAll", "WaitAny"])], ["Done"], ActivityKind.Join),
        new(SetVariable, "Sets a declared variable.",
            [
                new("variable", InputType.String, true, "The variable's name.", ReferenceKind: VariableReference),
                new("value", InputType.Any, true, "The new value."),
            ], ["Done"], ActivityKind.Normal),
        new(Delay, "Waits for a duration (a timer bookmark), optionally counted in business hours.",
            [
                new("duration", InputType.TimeSpan, true, "\"hh:mm:ss\" or \"d.hh:mm:ss\"."),
                new("businessHours", InputType.Boolean, false, "Count only business hours."),
            ], ["Done"], ActivityKind.Wait),
    ];
}
