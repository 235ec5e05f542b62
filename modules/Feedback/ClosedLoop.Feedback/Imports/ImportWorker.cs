using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClosedLoop.Feedback.Imports;

/// <summary>
/// Processes imports one at a time in this process: woken when an upload is queued here, and polling for
/// imports queued on another replica or left behind by a crashed one. On shutdown it gives its import
/// back, so the next start (or another replica) continues from the last committed row.
/// </summary>
internal sealed partial class ImportWorker(
    IServiceScopeFactory scopes,
    ImportSignal signal,
    IOptions<ImportOptions> options,
    TimeProvider time,
    ILogger<ImportWorker> logger) : BackgroundService
{
    private static readonly TimeSpan SweepEvery = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.WorkerEnabled)
        {
            LogDisabled();
            return;
        }

        var nextSweep = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            var worked = false;
            try
            {
                if (time.GetUtcNow() >= nextSweep)
                {
                    await using var scope = scopes.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<ImportLeases>().AbandonStaleUploadsAsync(stoppingToken);
                    nextSweep = time.GetUtcNow() + SweepEvery;
                }

                worked = await RunNextAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogPollFailed(ex, options.Value.PollInterval);
            }

            if (!worked)
            {
                try
                {
                    await signal.WaitAsync(options.Value.PollInterval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Claims and processes one import; false when there was none to take.</summary>
    private async Task<bool> RunNextAsync(CancellationToken stoppingToken)
    {
        ImportClaim? claim;
        await using (var scope = scopes.CreateAsyncScope())
        {
            claim = await scope.ServiceProvider.GetRequiredService<ImportLeases>().ClaimAsync(stoppingToken);
            if (claim is null)
            {
                return false;
            }

            try
            {
                await scope.ServiceProvider.GetRequiredService<ImportProcessor>().ProcessAsync(claim, stoppingToken);
                return true;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                LogReleased(claim.Id);
                await SettleAsync(claim, p => p.ReleaseAsync(claim));
                throw;
            }
            catch (ImportLeaseLostException)
            {
                LogLeaseLost(claim.Id);
                return true;
            }
            catch (ImportFileException ex)
            {
                LogUnreadable(claim.Id, ex.Message);
                await SettleAsync(claim, p => p.FailAsync(claim, ex.Message, permanent: true));
                return true;
            }
            catch (Exception ex)
            {
                LogAttemptFailed(ex, claim.Id, claim.Failures + 1);
                // The cause is in the server log under the import's id; callers are not shown our exceptions.
                await SettleAsync(claim, p => p.FailAsync(claim, $"Attempt {claim.Failures + 1} failed on the server (logged with this import's id); processing resumes at the last committed row.", permanent: false));
                return true;
            }
        }
    }

    /// <summary>Writes the claim's outcome from a fresh scope: the processing one may hold a broken connection.</summary>
    private async Task SettleAsync(ImportClaim claim, Func<ImportLeases, Task> settle)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await settle(scope.ServiceProvider.GetRequiredService<ImportLeases>());
        }
        catch (Exception ex)
        {
            // The lease runs out on its own; the import is picked up again then.
            LogSettleFailed(ex, claim.Id);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Import worker disabled in this process (Imports:WorkerEnabled=false)")]
    private partial void LogDisabled();

    [LoggerMessage(Level = LogLevel.Error, Message = "Looking for imports failed; trying again in {Interval}")]
    private partial void LogPollFailed(Exception exception, TimeSpan interval);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shutting down: import {ImportId} released; it continues from its last committed row")]
    private partial void LogReleased(Guid importId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Import {ImportId}: another worker took it over after this one's lease ran out")]
    private partial void LogLeaseLost(Guid importId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Import {ImportId} failed: {Reason}")]
    private partial void LogUnreadable(Guid importId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Import {ImportId} attempt {Attempt} failed; it will be retried")]
    private partial void LogAttemptFailed(Exception exception, Guid importId, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Import {ImportId}: recording the outcome failed; its lease will run out and it will be retried")]
    private partial void LogSettleFailed(Exception exception, Guid importId);
}
