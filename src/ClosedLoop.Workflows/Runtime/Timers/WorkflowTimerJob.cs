using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Quartz;

namespace ClosedLoop.Workflows.Runtime.Timers;

/// <summary>A timer's trigger fired: hands the bookmark to the engine's <see cref="IWorkflowTimerSink"/>, in a scope of its own.</summary>
/// <remarks>
/// A sink that throws must not lose the timer. The job rethrows, and the trigger's retry policy
/// (<see cref="QuartzWorkflowTimerScheduler"/>: exponential from <see cref="WorkflowTimerOptions.RetryDelay"/> up to
/// <see cref="WorkflowTimerOptions.MaxRetryDelay"/>, attempts unbounded) moves the one-shot trigger to the retry
/// instant in the same store transaction that completes the firing, so the trigger and its job stay until a fire
/// succeeds or the engine unschedules the bookmark. That is safe because FireAsync is idempotent (a burnt bookmark is
/// a no-op). The job requests recovery, so a firing cut short by a crash runs again on another node (or this one when
/// it is back).
/// </remarks>
internal sealed partial class WorkflowTimerJob(IServiceScopeFactory scopes, ILogger<WorkflowTimerJob> logger) : IJob
{
    public const string InstanceIdKey = "instanceId";
    public const string BookmarkIdKey = "bookmarkId";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var data = context.JobDetail.JobDataMap;
        if (!Guid.TryParse(data.GetString(InstanceIdKey), out var instanceId) || !Guid.TryParse(data.GetString(BookmarkIdKey), out var bookmarkId))
        {
            // Retrying cannot mend the data; the trigger goes (one-shot, no retry) and the log says which.
            LogUnreadable(logger, context.JobDetail.Key.ToString());
            return;
        }

        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var sink = scope.ServiceProvider.GetRequiredService<IWorkflowTimerSink>();
            await sink.FireAsync(instanceId, bookmarkId, cancellationToken);
        }
        catch (Exception ex) when (ex is not JobExecutionException)
        {
            LogFailed(logger, ex, bookmarkId, instanceId, context.RetryAttempt);
            throw new JobExecutionException($"The timer of bookmark {bookmarkId} failed; its trigger fires again after a back-off.", ex);
        }
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "Timer of bookmark {BookmarkId} (instance {InstanceId}) failed on attempt {Attempt}; it fires again after a back-off")]
    private static partial void LogFailed(ILogger logger, Exception exception, Guid bookmarkId, Guid instanceId, int attempt);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Error, Message = "Timer job {JobKey} carries no readable instance and bookmark id; dropped")]
    private static partial void LogUnreadable(ILogger logger, string jobKey);
}
