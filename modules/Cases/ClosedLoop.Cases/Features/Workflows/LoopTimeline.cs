namespace ClosedLoop.Cases.Features.Workflows;

/// <summary>The timeline entry kinds loops write (besides the case's own: assigned, escalated, statusChanged, …).</summary>
internal static class LoopTimeline
{
    /// <summary>A loop step could not do what it says (EscalateCase, SetCaseStatus leave through Failed).</summary>
    public const string StepFailed = "workflowStepFailed";

    /// <summary>A loop step had nothing it could do and went on (AssignCase on a case without a team).</summary>
    public const string StepSkipped = "workflowStepSkipped";

    public const string LoopCompleted = "loopCompleted";

    public const string LoopCancelled = "loopCancelled";
}
