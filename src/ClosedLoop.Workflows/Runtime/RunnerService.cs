using System.Collections.Concurrent;
using System.Threading.Channels;
using ClosedLoop.Persistence;
using ClosedLoop.Workflows.Runtime.Timers;
using ClosedLoop.Workflows.Store.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClosedLoop.Workflows.Runtime;

/// <summary>Instances with work, as this process learns of them (commits here) or finds them (the sweep).</summary>
internal sealed class RunnerSignal
{
    private readonly Channel<Guid> channel = Channel.CreateUnbounded<Guid>(new UnboundedChannelOptions { SingleReader = false });

    public ChannelReader<Guid> Reader => channel.Reader;

    public void Signal(Guid instanceId) => channel.Writer.TryWrite(instanceId);
}

/// <summary>Wakes the runner when a transaction that made instances runnable commits.</summary>
internal sealed class RunnableCommitHook(RunnerSignal signal) : CommitHook
{
    public override void Committed(DbContext context)
    {
        if (context is WorkflowsDbContext db && db.RunnablePending.Count > 0)
        {
            foreach (var id in db.RunnablePending)
            {
                signal.Signal(id);
            }

            db.RunnablePending.Clear();
        }
    }

    public override void RolledBack(DbContext context)
    {
        if (context is WorkflowsDbContext db)
        {
            db.RunnablePending.Clear();
        }
    }
}

/// <summary>
/// Runs signalled instances on <see cref="WorkflowRuntimeOptions.Concurrency"/> workers (one run per instance at a
/// time in this process), sweeps for runnable instances nobody signalled, and relays timers a crash left unscheduled.
/// </summary>
internal sealed partial class RunnerService(
    RunnerSignal signal,
    InstanceRunner runner,
    IServiceScopeFactory scopes,
    IWorkflowTimerScheduler timers,
    TimeProvider time,
    IOptions<WorkflowRuntimeOptions> options,
    ILogger<RunnerService> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<Guid, bool> inFlight = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        var workers = Enumerable.Range(0, Math.Max(1, options.Value.Concurrency)).Select(_ => WorkAsync(stoppingToken)).ToList();
        workers.Add(SweepAsync(stoppingToken));
        await Task.WhenAll(workers);
    }

    private async Task WorkAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var id in signal.Reader.ReadAllAsync(ct))
            {
                if (!inFlight.TryAdd(id, false))
                {
                    // Running now: run again when that run ends, for the work that arrived meanwhile.
                    inFlight[id] = true;
                    continue;
                }

                try
                {
                    bool again;
                    do
                    {
                        await runner.RunAsync(id, ct);
                        again = inFlight.TryGetValue(id, out var flag) && flag;
                        inFlight[id] = false;
                    }
                    while (again);
                }
                finally
                {
                    inFlight.TryRemove(id, out _);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private async Task SweepAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval);
        try
        {
            do
            {
                try
                {
                    await SweepOnceAsync(ct);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogSweepFailed(logger, ex);
                }
            }
            while (await timer.WaitForNextTickAsync(ct));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    internal async Task SweepOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WorkflowsDbContext>();
        var now = time.GetUtcNow();
        var runnable = await db.Instances.AsNoTracking()
            .Where(i => i.RunnableSince != null && (i.LeaseUntil == null || i.LeaseUntil < now))
            .OrderBy(i => i.RunnableSince)
            .Select(i => i.Id)
            .Take(500)
            .ToListAsync(ct);
        foreach (var id in runnable.Where(id => !inFlight.ContainsKey(id)))
        {
            signal.Signal(id);
        }

        var stale = now - TimeSpan.FromSeconds(10);
        var unscheduled = await db.Bookmarks.AsNoTracking()
            .Where(b => !b.TimerScheduled && b.DueAt != null && b.CreatedAt < stale)
            .OrderBy(b => b.DueAt)
            .Select(b => new WorkflowTimer(b.Id, b.InstanceId, b.DueAt!.Value))
            .Take(500)
            .ToListAsync(ct);
        if (unscheduled.Count > 0)
        {
            await timers.ScheduleAsync(unscheduled, ct);
            var ids = unscheduled.Select(t => t.BookmarkId).ToList();
            await db.Bookmarks.Where(b => ids.Contains(b.Id)).ExecuteUpdateAsync(s => s.SetProperty(b => b.TimerScheduled, true), ct);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The workflow sweep failed; it runs again shortly.")]
    private static partial void LogSweepFailed(ILogger logger, Exception ex);
}

/// <summary>A fired trigger: burn the bookmark and queue the wakeup, in one transaction; the commit wakes the runner.</summary>
internal sealed class TimerSink(IServiceScopeFactory scopes) : IWorkflowTimerSink
{
    public async Task FireAsync(Guid instanceId, Guid bookmarkId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WorkflowsDbContext>();
        var engine = scope.ServiceProvider.GetRequiredService<WorkflowEngine>();
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        if (await engine.EnlistTimerAsync(instanceId, bookmarkId, cancellationToken))
        {
            await db.SaveChangesAsync(cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
    }
}
