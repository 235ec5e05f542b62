using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClosedLoop.Communication.Delivery;

/// <summary>Runs the dispatcher when a message is written (<see cref="DeliverySignal"/>) and every poll interval otherwise.</summary>
internal sealed class DeliveryWorker(
    MessageDispatcher dispatcher,
    DeliverySignal signal,
    SmtpTransport smtp,
    IOptions<DeliveryOptions> options,
    ILogger<DeliveryWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            logger.LogInformation("Message delivery disabled in this process (Communication:Delivery:Enabled=false)");
            return;
        }

        if (!smtp.IsConfigured)
        {
            logger.LogWarning("No SMTP relay configured (Smtp:Host): email messages stay pending until one is; webhooks are delivered");
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var claimed = 0;
            try
            {
                claimed = await dispatcher.DeliverDueAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The loop outlives a database outage: the next poll tries again.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                logger.LogError(ex, "Message delivery failed; trying again in {Interval}", settings.PollInterval);
            }

            if (claimed < settings.BatchSize)
            {
                try
                {
                    await signal.WaitAsync(settings.PollInterval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
