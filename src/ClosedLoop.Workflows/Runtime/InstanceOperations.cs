using ClosedLoop.Workflows.Runtime.Data;
using ClosedLoop.Workflows.Runtime.Timers;
using ClosedLoop.Workflows.Store.Data;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Workflows.Runtime;

/// <summary>What an operator does to an instance: retry after a fault, cancel. Both commit over the revision they read.</summary>
internal sealed class InstanceOperations(WorkflowsDbContext db, DefinitionCache definitions, IWorkflowTimerScheduler timers, TimeProvider time)
{
    public async Task<(InstanceRecord? Instance, string? Conflict)> RetryAsync(Guid id, string by, CancellationToken ct)
    {
        var instance = await db.Instances.FirstOrDefaultAsync(i => i.Id == id, ct);
        if (instance is null)
        {
            return (null, null);
        }

        if (instance.Status != InstanceStatus.Faulted)
        {
            return (instance, $"Only a faulted instance is retried; this one is {InstanceStatuses.Name(instance.Status)}.");
        }

        var now = time.GetUtcNow();
        var state = InstanceState.Parse(instance.StateJson);
        if (state.Faulted is { Activity.Length: 0 })
        {
            // It never started: its loop had no published version. It starts now on the published one.
            var published = await db.Definitions.AsNoTracking().Where(d => d.DefinitionId == instance.DefinitionId).Select(d => d.PublishedVersion).FirstOrDefaultAsync(ct);
            var loaded = published is { } v ? await definitions.GetAsync(db, instance.DefinitionId, v, ct) : null;
            if (loaded is null)
            {
                return (instance, $"The loop '{instance.DefinitionId}' still has no published version.");
            }

            instance.Version = loaded.Document.Version;
            state = InstanceState.StartOf(loaded);
        }
        else if (state.Faulted is { } token)
        {
            state.Queue.Insert(0, token);
            state.Faulted = null;
        }

        await ResolveIncidentsAsync(id, by, now, ct);
        instance.StateJson = state.ToJson();
        instance.Status = InstanceStatus.Running;
        instance.RunnableSince = now;
        instance.UpdatedAt = now;
        instance.Revision++;
        db.RunnablePending.Add(instance.Id);
        return await SaveAsync(instance, ct);
    }

    public async Task<(InstanceRecord? Instance, string? Conflict)> CancelAsync(Guid id, string by, CancellationToken ct)
    {
        var instance = await db.Instances.FirstOrDefaultAsync(i => i.Id == id, ct);
        if (instance is null)
        {
            return (null, null);
        }

        if (instance.Status is InstanceStatus.Completed or InstanceStatus.Cancelled)
        {
            return (instance, $"The instance already finished ({InstanceStatuses.Name(instance.Status)}).");
        }

        var now = time.GetUtcNow();
        var state = InstanceState.Parse(instance.StateJson);
        var bookmarks = await db.Bookmarks.Where(b => b.InstanceId == id).ToListAsync(ct);
        db.Bookmarks.RemoveRange(bookmarks);
        db.Wakeups.RemoveRange(await db.Wakeups.Where(w => w.InstanceId == id).ToListAsync(ct));
        await ResolveIncidentsAsync(id, by, now, ct);
        state.Queue.Clear();
        state.Faulted = null;
        db.Executions.Add(new ExecutionRecord
        {
            InstanceId = id,
            Sequence = ++state.Sequence,
            ActivityId = "(instance)",
            ActivityType = "Cancel",
            Outcome = "cancelled",
            Message = $"Cancelled by {by}",
            At = now,
        });
        instance.StateJson = state.ToJson();
        instance.Status = InstanceStatus.Cancelled;
        instance.FinishedAt = now;
        instance.RunnableSince = null;
        instance.UpdatedAt = now;
        instance.Revision++;
        db.Publish(InstanceState.Finished(instance, state, "cancelled", now));
        var result = await SaveAsync(instance, ct);
        if (result.Conflict is null)
        {
            var timerIds = bookmarks.Where(b => b.DueAt is not null).Select(b => b.Id).ToList();
            if (timerIds.Count > 0)
            {
                // A trigger left behind finds no bookmark and does nothing; removing it only saves the fire.
                await timers.UnscheduleAsync(timerIds, CancellationToken.None);
            }
        }

        return result;
    }

    private Task ResolveIncidentsAsync(Guid id, string by, DateTimeOffset now, CancellationToken ct) =>
        db.Incidents.Where(x => x.InstanceId == id && x.ResolvedAt == null).ForEachAsync(x =>
        {
            x.ResolvedAt = now;
            x.ResolvedBy = by.Length > 200 ? by[..200] : by;
        }, ct);

    private async Task<(InstanceRecord? Instance, string? Conflict)> SaveAsync(InstanceRecord instance, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return (instance, null);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.RunnablePending.Clear();
            return (instance, "The instance ran a step meanwhile; read it again and retry.");
        }
    }
}
