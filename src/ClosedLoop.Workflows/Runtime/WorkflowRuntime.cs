using ClosedLoop.Workflows.Runtime.Data;
using ClosedLoop.Workflows.Store.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClosedLoop.Workflows.Runtime;

/// <summary><see cref="IWorkflowRuntime"/> for modules: stimuli in their own transaction, summaries without state.</summary>
internal sealed class WorkflowRuntime(IServiceScopeFactory scopes, DefinitionCache definitions) : IWorkflowRuntime
{
    public async Task<Guid> StartAsync(WorkflowStartRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var key = WorkflowEngine.StartKeyOf(request.DefinitionId, request.CorrelationId);
        for (var attempt = 0; ; attempt++)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<WorkflowsDbContext>();
            await scope.ServiceProvider.GetRequiredService<WorkflowEngine>().EnlistStartAsync(request, cancellationToken);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException) when (attempt == 0)
            {
                // A concurrent start of the same pair won the unique key: answer its instance.
                continue;
            }

            return await db.Instances.AsNoTracking().Where(i => i.StartKey == key).Select(i => i.Id).FirstAsync(cancellationToken);
        }
    }

    public async Task<int> ResumeAsync(WorkflowStimulus stimulus, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stimulus);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WorkflowsDbContext>();
        var engine = scope.ServiceProvider.GetRequiredService<WorkflowEngine>();
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var resumed = await engine.EnlistResumeAsync(stimulus, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return resumed;
    }

    public async Task<IReadOnlyList<WorkflowInstanceSummary>> ForCorrelationAsync(Guid correlationId, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WorkflowsDbContext>();
        var instances = await db.Instances.AsNoTracking()
            .Where(i => i.CorrelationId == correlationId)
            .OrderByDescending(i => i.CreatedAt)
            .Select(i => new { i.Id, i.DefinitionId, i.Version, i.Status, i.CreatedAt, i.FinishedAt })
            .Take(20)
            .ToListAsync(cancellationToken);
        if (instances.Count == 0)
        {
            return [];
        }

        var ids = instances.Select(i => i.Id).ToList();
        var waits = await db.Bookmarks.AsNoTracking()
            .Where(b => ids.Contains(b.InstanceId))
            .Select(b => new { b.InstanceId, b.ActivityId, b.ActivityType, b.DueAt })
            .ToListAsync(cancellationToken);
        var result = new List<WorkflowInstanceSummary>(instances.Count);
        foreach (var i in instances)
        {
            var loaded = await definitions.GetAsync(db, i.DefinitionId, i.Version, cancellationToken);
            result.Add(new WorkflowInstanceSummary(
                i.Id, i.DefinitionId, i.Version, InstanceStatuses.Name(i.Status), i.CreatedAt, i.FinishedAt,
                waits.Where(w => w.InstanceId == i.Id)
                    .OrderBy(w => w.DueAt ?? DateTimeOffset.MaxValue)
                    .Select(w => new WaitingStep(
                        w.ActivityId,
                        loaded?.Activities.TryGetValue(w.ActivityId, out var a) == true ? a.DisplayName : w.ActivityId,
                        w.ActivityType,
                        w.DueAt))
                    .ToList()));
        }

        return result;
    }
}

internal static class InstanceStatuses
{
    public static string Name(InstanceStatus status) => status switch
    {
        InstanceStatus.Running => "running",
        InstanceStatus.Waiting => "waiting",
        InstanceStatus.Faulted => "faulted",
        InstanceStatus.Completed => "completed",
        _ => "cancelled",
    };

    public static InstanceStatus? Parse(string? name) => name switch
    {
        "running" => InstanceStatus.Running,
        "waiting" => InstanceStatus.Waiting,
        "faulted" => InstanceStatus.Faulted,
        "completed" => InstanceStatus.Completed,
        "cancelled" => InstanceStatus.Cancelled,
        _ => null,
    };

    public static readonly string[] All = ["running", "waiting", "faulted", "completed", "cancelled"];
}
