namespace ClosedLoop.Cases.Domain;

/// <summary>
/// A loop step that acted on a case, by the engine's step key: saved in the same transaction as the step's change, so
/// a step the engine runs again (after a crash) finds it and answers the first outcome instead of acting twice.
/// </summary>
internal sealed class CaseWorkflowStep
{
    public const int MaxStepKeyLength = 200;

    /// <summary>The engine's <c>ActivityExecutionContext.StepKey</c>: stable for one step of one instance.</summary>
    public required string StepKey { get; set; }

    public Guid CaseId { get; set; }

    public Guid InstanceId { get; set; }

    public required string ActivityType { get; set; }

    /// <summary>The port the step left through the first time (Done, Failed).</summary>
    public required string Port { get; set; }

    public DateTimeOffset At { get; set; }
}
