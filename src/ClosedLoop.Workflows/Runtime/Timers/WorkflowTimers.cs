namespace ClosedLoop.Workflows.Runtime.Timers;

/// <summary>A timer bookmark's trigger: fires once at <paramref name="DueAt"/> (or at once, when that passed while no scheduler ran).</summary>
internal sealed record WorkflowTimer(Guid BookmarkId, Guid InstanceId, DateTimeOffset DueAt);

/// <summary>
/// Keeps timer bookmarks as triggers in Quartz's persistent job store. Idempotent: scheduling a bookmark that already has
/// its trigger, or unscheduling one that has none, succeeds and changes nothing.
/// </summary>
internal interface IWorkflowTimerScheduler
{
    Task ScheduleAsync(IReadOnlyCollection<WorkflowTimer> timers, CancellationToken cancellationToken);

    Task UnscheduleAsync(IReadOnlyCollection<Guid> bookmarkIds, CancellationToken cancellationToken);
}

/// <summary>Where a fired trigger goes: the engine burns the bookmark (if still there) and runs the instance on.</summary>
internal interface IWorkflowTimerSink
{
    Task FireAsync(Guid instanceId, Guid bookmarkId, CancellationToken cancellationToken);
}
