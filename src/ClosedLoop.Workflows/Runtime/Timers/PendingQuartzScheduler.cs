namespace ClosedLoop.Workflows.Runtime.Timers;

/// <summary>TEMPORARY until the Quartz scheduler lands in this branch: records, never fires.</summary>
internal sealed class PendingQuartzScheduler : IWorkflowTimerScheduler
{
    public Task ScheduleAsync(IReadOnlyCollection<WorkflowTimer> timers, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task UnscheduleAsync(IReadOnlyCollection<Guid> bookmarkIds, CancellationToken cancellationToken) => Task.CompletedTask;
}
