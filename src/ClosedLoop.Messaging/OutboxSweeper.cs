using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClosedLoop.Messaging;

/// <summary>Runs the dispatcher when a commit signals and on every sweep interval.</summary>
internal sealed class OutboxSweeper(
    OutboxDispatcher dispatcher,
    OutboxSignal signal,
    IOptions<MessagingOptions> options,
    ILogger<OutboxSweeper> logger) : BackgroundService
{
    private static readonly TimeSpan PurgeEvery = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.DispatcherEnabled)
        {
            logger.LogInformation("Outbox dispatcher disabled in this process (Messaging:DispatcherEnabled=false)");
            return;
        }

        var nextPurge = DateTimeOffset.UtcNow + PurgeEvery;
        while (!stoppingToken.IsCancellationRequested)
        {
            var settled = 0;
            try
            {
                settled = await dispatcher.DispatchPendingAsync(stoppingToken);
                if (DateTimeOffset.UtcNow >= nextPurge)
                {
                    await dispatcher.PurgeAsync(stoppingToken);
                    nextPurge = DateTimeOffset.UtcNow + PurgeEvery;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Outbox sweep failed; trying again in {Interval}", options.Value.SweepInterval);
            }

            if (settled < options.Value.BatchSize)
            {
                try
                {
                    await signal.WaitAsync(options.Value.SweepInterval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
