using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Quartz;

namespace ClosedLoop.Workflows.Runtime.Timers;

/// <summary>
/// One non-durable job and one one-shot simple trigger per bookmark, both keyed by the bookmark id in group
/// <see cref="Group"/>; the job data is the instance id and the bookmark id (as strings).
/// </summary>
internal sealed class QuartzWorkflowTimerScheduler(IServiceProvider services, IOptions<WorkflowTimerOptions> options) : IWorkflowTimerScheduler
{
    public const string Group = "workflow-timers";

    private readonly Lazy<RetryPolicy> _retry = new(() => RetryPolicy.Exponential(
        int.MaxValue, options.Value.RetryDelay, 2, options.Value.MaxRetryDelay, 0.2));

    public static JobKey JobKeyOf(Guid bookmarkId) => new(bookmarkId.ToString("N"), Group);

    public static TriggerKey TriggerKeyOf(Guid bookmarkId) => new(bookmarkId.ToString("N"), Group);

    public async Task ScheduleAsync(IReadOnlyCollection<WorkflowTimer> timers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timers);
        if (timers.Count == 0)
        {
            return;
        }

        var scheduler = Scheduler();
        var batch = timers.DistinctBy(t => t.BookmarkId).ToDictionary(Job, t => (IReadOnlyCollection<ITrigger>)[Trigger(t, scheduler.TimeProvider)]);
        try
        {
            // One store operation for the lot: the usual case, where none of them exists yet.
            await scheduler.ScheduleJobs(batch, new ScheduleJobOptions(), cancellationToken);
        }
        catch (ObjectAlreadyExistsException)
        {
            // Nothing of the batch was stored. An existing trigger is this same timer (keys come from the bookmark),
            // so it stays as it is (replacing it could re-fire one that is firing right now); the rest go one by one.
            foreach (var (job, triggers) in batch)
            {
                try
                {
                    await scheduler.ScheduleJob(job, triggers.Single(), new ScheduleJobOptions(), cancellationToken);
                }
                catch (ObjectAlreadyExistsException)
                {
                }
            }
        }
    }

    public async Task UnscheduleAsync(IReadOnlyCollection<Guid> bookmarkIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bookmarkIds);
        if (bookmarkIds.Count == 0)
        {
            return;
        }

        // A missing trigger is skipped; the job goes with its only trigger (it is not durable).
        await Scheduler().UnscheduleJobs([.. bookmarkIds.Distinct().Select(TriggerKeyOf)], cancellationToken);
    }

    private IScheduler Scheduler() => services.GetRequiredKeyedService<IScheduler>(WorkflowTimerServiceCollectionExtensions.SchedulerName);

    private static IJobDetail Job(WorkflowTimer timer) => JobBuilder.Create<WorkflowTimerJob>()
        .WithIdentity(JobKeyOf(timer.BookmarkId))
        .UsingJobData(WorkflowTimerJob.InstanceIdKey, timer.InstanceId.ToString())
        .UsingJobData(WorkflowTimerJob.BookmarkIdKey, timer.BookmarkId.ToString())
        .StoreDurably(false)
        .RequestRecovery()
        .Build();

    private ITrigger Trigger(WorkflowTimer timer, TimeProvider time) => TriggerBuilder.Create(time)
        .WithIdentity(TriggerKeyOf(timer.BookmarkId))
        .ForJob(JobKeyOf(timer.BookmarkId))
        .StartAt(timer.DueAt)
        // Explicit rather than the smart policy: a timer that came due while no node ran (or every thread was busy)
        // fires once, as soon as a scheduler sees it.
        .WithSimpleSchedule(s => s.WithRepeatCount(0).WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow))
        .WithRetryPolicy(_retry.Value)
        .Build();
}
