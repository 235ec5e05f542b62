using ClosedLoop.Workflows.Store.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClosedLoop.Workflows.Runtime;

/// <summary>
/// Deletes the execution log of instances that finished more than <see cref="WorkflowRuntimeOptions.LogRetention"/>
/// ago, in batches (the log grows by every step of every loop; the instance row, with its outcome, stays). Running
/// and faulted instances keep their whole log. Idempotent, so every replica may run it.
/// </summary>
internal sealed partial class ExecutionLogRetention(
    IServiceScopeFactory scopes, TimeProvider time, IOptions<WorkflowRuntimeOptions> options, ILogger<ExecutionLogRetention> logger) : BackgroundService
{
    private const int Batch = 5_000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.LogRetentionInterval);
        try
        {
            do
            {
                try
                {
                    await SweepAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogFailed(logger, ex);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    internal async Task<int> SweepAsync(CancellationToken ct)
    {
        var cutoff = time.GetUtcNow() - options.Value.LogRetention;
        var deleted = 0;
        while (!ct.IsCancellationRequested)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<WorkflowsDbContext>();
            var ids = await db.Executions.AsNoTracking()
                .Where(e => e.At < cutoff && db.Instances.Any(i => i.Id == e.InstanceId && i.FinishedAt != null && i.FinishedAt < cutoff))
                .OrderBy(e => e.Id)
                .Select(e => e.Id)
                .Take(Batch)
                .ToListAsync(ct);
            if (ids.Count == 0)
            {
                break;
            }

            deleted += await db.Executions.Where(e => ids.Contains(e.Id)).ExecuteDeleteAsync(ct);
            if (ids.Count < Batch)
            {
                break;
            }
        }

        return deleted;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting expired workflow execution logs failed; the next sweep tries again.")]
    private static partial void LogFailed(ILogger logger, Exception ex);
}
