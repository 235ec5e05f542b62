using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quartz;

namespace ClosedLoop.Workflows.Runtime.Timers;

/// <summary>
/// Starts the timer scheduler once its tables are there (Quartz validates the schema when the scheduler is built), trying
/// again every few seconds, and shuts it down with the host, waiting for running jobs. Until it runs, new timers stay
/// unscheduled bookmarks that the runner's sweep hands over later; none is lost.
/// </summary>
internal sealed partial class WorkflowTimerHost(IServiceProvider services, IOptions<WorkflowTimerOptions> options, ILogger<WorkflowTimerHost> logger) : BackgroundService
{
    private IScheduler? scheduler;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        for (var attempt = 0; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                scheduler = services.GetRequiredKeyedService<IScheduler>(WorkflowTimerServiceCollectionExtensions.SchedulerName);
                if (options.Value.Enabled)
                {
                    await scheduler.Start(stoppingToken);
                }

                return;
            }
            catch (SchedulerException ex)
            {
                if (attempt == 0)
                {
                    LogNotReady(logger, ex);
                }
            }

            await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (scheduler is null)
        {
            return;
        }

        try
        {
            await scheduler.Shutdown(waitForJobsToComplete: true, cancellationToken);
        }
        catch (SchedulerException)
        {
            // Already shut down (Quartz's container side may stop it first): nothing left to stop.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The workflow timer scheduler cannot start yet (are the migrations applied?); it tries again every 2 s.")]
    private static partial void LogNotReady(ILogger logger, Exception ex);
}
