using System.Threading.Channels;
using ClosedLoop.Rules.Store.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClosedLoop.Rules.Store;

/// <summary>
/// Incidents on their way to the <c>rules.incidents</c> table. The engine reports on the routing path, so
/// reporting only enqueues: it never waits and never throws. When the queue is full (a storm of time-outs
/// with the database slow), further incidents are counted and logged instead of kept.
/// </summary>
internal sealed class IncidentQueue(IOptions<RuleStoreOptions> options) : IRuleIncidentSink
{
    private readonly Channel<RuleIncident> _channel = Channel.CreateBounded<RuleIncident>(
        new BoundedChannelOptions(Math.Max(1, options.Value.IncidentQueueCapacity))
        {
            FullMode = BoundedChannelFullMode.DropWrite,
            SingleReader = true,
        });

    private long _dropped;

    public ChannelReader<RuleIncident> Reader => _channel.Reader;

    public void Report(RuleIncident incident)
    {
        if (!_channel.Writer.TryWrite(incident))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    /// <summary>Incidents not kept since the last call.</summary>
    public long TakeDropped() => Interlocked.Exchange(ref _dropped, 0);
}

/// <summary>Writes queued incidents in batches, and deletes those past their retention once an hour.</summary>
internal sealed partial class IncidentWriter(
    IncidentQueue queue,
    IServiceScopeFactory scopes,
    TimeProvider time,
    IOptions<RuleStoreOptions> options,
    ILogger<IncidentWriter> logger) : BackgroundService
{
    private const int BatchSize = 200;
    private static readonly TimeSpan PurgeEvery = TimeSpan.FromHours(1);

    private DateTimeOffset _nextPurge = DateTimeOffset.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                await PurgeWhenDueAsync(stoppingToken);
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                wait.CancelAfter(PurgeEvery);
                try
                {
                    if (!await queue.Reader.WaitToReadAsync(wait.Token))
                    {
                        return;
                    }
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    continue; // Quiet for an hour: time to purge.
                }

                await WriteBatchAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: keep what is already queued, briefly.
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            while (queue.Reader.TryPeek(out _) && !grace.IsCancellationRequested)
            {
                await WriteBatchAsync(grace.Token);
            }
        }
    }

    private async Task WriteBatchAsync(CancellationToken cancellationToken)
    {
        var batch = new List<RuleIncidentRecord>(BatchSize);
        while (batch.Count < BatchSize && queue.Reader.TryRead(out var incident))
        {
            batch.Add(new RuleIncidentRecord
            {
                Id = Guid.CreateVersion7(incident.At),
                At = incident.At,
                Kind = incident.Kind,
                Input = Truncate(incident.InputName, 50),
                RuleSet = incident.RuleSet is null ? null : Truncate(incident.RuleSet, RulesDbContext.MaxNameLength),
                Version = incident.Version,
                Message = Truncate(incident.Message, RulesDbContext.MaxIncidentMessageLength),
            });
        }

        var dropped = queue.TakeDropped();
        if (dropped > 0)
        {
            LogDropped(logger, dropped);
        }

        if (batch.Count == 0)
        {
            return;
        }

        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<RulesDbContext>();
            db.Incidents.AddRange(batch);
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Every incident was logged by the logging sink already; losing the stored copy beats blocking.
            LogWriteFailed(logger, ex, batch.Count);
        }
    }

    private async Task PurgeWhenDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (now < _nextPurge)
        {
            return;
        }

        _nextPurge = now + PurgeEvery;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<RulesDbContext>();
            var cutoff = now - options.Value.IncidentRetention;
            await db.Incidents.Where(i => i.At < cutoff).ExecuteDeleteAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogPurgeFailed(logger, ex);
        }
    }

    private static string Truncate(string value, int max) => value.Length <= max ? value : value[..max];

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} rule incident(s) were not stored: the incident queue was full (they are in the log)")]
    private static partial void LogDropped(ILogger logger, long count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storing {Count} rule incident(s) failed (they are in the log)")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting old rule incidents failed; trying again in an hour")]
    private static partial void LogPurgeFailed(ILogger logger, Exception exception);
}
