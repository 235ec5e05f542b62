using ClosedLoop.Communication.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClosedLoop.Communication.Features.Messages;

/// <summary>How long settled messages are kept (section <c>Communication:Retention</c>).</summary>
internal sealed class MessageRetentionOptions
{
    public const string Section = "Communication:Retention";

    /// <summary>Sent, suppressed and dead-lettered messages older than this are deleted with their attempts; default 400 days.</summary>
    public TimeSpan Messages { get; set; } = TimeSpan.FromDays(400);

    /// <summary>How often the purge runs; default hourly.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>
/// Deletes settled messages past their retention, a thousand at a time, with their attempts. Messages still on their
/// way (pending, retrying) are never deleted, whatever their age; who an improvement reached stays in
/// <c>improvement_recipients</c>, so an old announcement still never reaches a customer twice.
/// </summary>
internal sealed class MessageRetention(IServiceScopeFactory scopes, IOptions<MessageRetentionOptions> options, TimeProvider time, ILogger<MessageRetention> logger) : BackgroundService
{
    private const int Batch = 1_000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var deleted = await PurgeAsync(stoppingToken);
                if (deleted > 0)
                {
                    logger.LogInformation("Deleted {Count} messages older than {Retention}", deleted, options.Value.Messages);
                }

                await Task.Delay(options.Value.Interval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "The message purge failed; trying again in {Interval}", options.Value.Interval);
                await Task.Delay(options.Value.Interval, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    public async Task<int> PurgeAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - options.Value.Messages;
        var total = 0;
        while (true)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<CommunicationDbContext>();
            var ids = await db.Messages.AsNoTracking()
                .Where(m => m.CreatedAt < cutoff && (m.Status == MessageStatus.Sent || m.Status == MessageStatus.Suppressed || m.Status == MessageStatus.DeadLettered))
                .OrderBy(m => m.CreatedAt)
                .Take(Batch)
                .Select(m => m.Id)
                .ToListAsync(cancellationToken);
            if (ids.Count == 0)
            {
                return total;
            }

            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.MessageAttempts.Where(a => ids.Contains(a.MessageId)).ExecuteDeleteAsync(cancellationToken);
            total += await db.Messages.Where(m => ids.Contains(m.Id)).ExecuteDeleteAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            if (ids.Count < Batch)
            {
                return total;
            }
        }
    }
}
