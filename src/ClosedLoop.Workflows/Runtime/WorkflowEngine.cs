using ClosedLoop.Workflows.Runtime.Data;
using ClosedLoop.Workflows.Runtime.Timers;
using ClosedLoop.Workflows.Store.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace ClosedLoop.Workflows.Runtime;

/// <summary>
/// Starts instances and turns stimuli and timers into wakeups, always on the caller's <see cref="WorkflowsDbContext"/>
/// so it commits with the caller's transaction (an event's inbox row, say). Burning a bookmark is a delete that must
/// hit one row: of two concurrent stimuli, or a stimulus and a timer, only one resumes it.
/// </summary>
internal sealed partial class WorkflowEngine(WorkflowsDbContext db, DefinitionCache definitions, TimeProvider time, ILogger<WorkflowEngine> logger)
{
    public const int MaxPayloadBytes = 16 * 1024;

    /// <summary>Adds the instance (unsaved, with its start token) unless this pair already has one.</summary>
    public async Task EnlistStartAsync(WorkflowStartRequest request, CancellationToken cancellationToken)
    {
        var startKey = StartKeyOf(request.DefinitionId, request.CorrelationId);
        if (await db.Instances.AnyAsync(i => i.StartKey == startKey, cancellationToken)
            || db.Instances.Local.Any(i => i.StartKey == startKey))
        {
            return;
        }

        var published = await db.Definitions.AsNoTracking()
            .Where(d => d.DefinitionId == request.DefinitionId)
            .Select(d => d.PublishedVersion)
            .FirstOrDefaultAsync(cancellationToken);
        await AddAsync(request, startKey, published, cancellationToken);
    }

    /// <summary>
    /// <see cref="EnlistStartAsync"/> for several requests (a dispatch's batch of events) in two statements whatever
    /// their number: one finds the start keys that already have an instance, one the definitions' published versions.
    /// </summary>
    public async Task EnlistStartsAsync(IReadOnlyList<WorkflowStartRequest> requests, CancellationToken cancellationToken)
    {
        if (requests.Count == 0)
        {
            return;
        }

        var keys = requests.Select(r => StartKeyOf(r.DefinitionId, r.CorrelationId)).Distinct().ToList();
        var existing = (await db.Instances.AsNoTracking().Where(i => keys.Contains(i.StartKey)).Select(i => i.StartKey).ToListAsync(cancellationToken))
            .ToHashSet(StringComparer.Ordinal);
        var ids = requests.Select(r => r.DefinitionId).Distinct().ToList();
        var published = await db.Definitions.AsNoTracking()
            .Where(d => ids.Contains(d.DefinitionId))
            .Select(d => new { d.DefinitionId, d.PublishedVersion })
            .ToDictionaryAsync(d => d.DefinitionId, d => d.PublishedVersion, StringComparer.Ordinal, cancellationToken);
        foreach (var request in requests)
        {
            var startKey = StartKeyOf(request.DefinitionId, request.CorrelationId);
            if (existing.Contains(startKey) || db.Instances.Local.Any(i => i.StartKey == startKey))
            {
                continue;
            }

            await AddAsync(request, startKey, published.GetValueOrDefault(request.DefinitionId), cancellationToken);
        }
    }

    private async Task AddAsync(WorkflowStartRequest request, string startKey, int? published, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var instance = new InstanceRecord
        {
            Id = Guid.CreateVersion7(now),
            DefinitionId = request.DefinitionId,
            Version = published ?? 0,
            CorrelationId = request.CorrelationId,
            StartKey = startKey,
            Status = InstanceStatus.Running,
            StateJson = string.Empty,
            CreatedAt = now,
            UpdatedAt = now,
            RunnableSince = now,
        };
        var loaded = published is { } version ? await definitions.GetAsync(db, request.DefinitionId, version, cancellationToken) : null;
        if (loaded is null)
        {
            // Nothing accepted is lost: the case's loop waits as an incident until the definition is published and an operator retries.
            instance.Status = InstanceStatus.Faulted;
            instance.RunnableSince = null;
            instance.StateJson = new InstanceState { Faulted = new Token(string.Empty, null) }.ToJson();
            db.Incidents.Add(new IncidentRecord
            {
                Id = Guid.CreateVersion7(now),
                InstanceId = instance.Id,
                ActivityId = "(start)",
                ActivityType = "Start",
                Message = $"The loop '{request.DefinitionId}' has no published version; publish it and retry this instance.",
                CreatedAt = now,
            });
            LogNoDefinition(logger, request.DefinitionId, request.CorrelationId);
        }
        else
        {
            instance.StateJson = InstanceState.StartOf(loaded).ToJson();
            db.RunnablePending.Add(instance.Id);
        }

        db.Instances.Add(instance);
    }

    /// <summary>Burns every bookmark the stimulus matches and queues a wakeup for each; answers how many.</summary>
    public async Task<int> EnlistResumeAsync(WorkflowStimulus stimulus, CancellationToken cancellationToken)
    {
        var payload = stimulus.Payload is { } p ? p.GetRawText() : null;
        if (payload is not null && payload.Length > MaxPayloadBytes)
        {
            throw new ArgumentException($"A stimulus payload is limited to {MaxPayloadBytes / 1024} KB.", nameof(stimulus));
        }

        var matches = await db.Bookmarks.AsNoTracking()
            .Where(b => b.Kind == stimulus.Kind && b.Key == stimulus.Key)
            .Select(b => new { b.Id, b.InstanceId, b.ActivityId, b.Port })
            .ToListAsync(cancellationToken);
        var resumed = 0;
        foreach (var b in matches)
        {
            if (await BurnAsync(b.Id, b.InstanceId, b.ActivityId, b.Port, payload, cancellationToken))
            {
                resumed++;
            }
        }

        return resumed;
    }

    /// <summary>A timer fired: burns its bookmark (if a stimulus did not first) and queues the timeout wakeup.</summary>
    public async Task<bool> EnlistTimerAsync(Guid instanceId, Guid bookmarkId, CancellationToken cancellationToken)
    {
        var b = await db.Bookmarks.AsNoTracking()
            .Where(x => x.Id == bookmarkId && x.InstanceId == instanceId)
            .Select(x => new { x.ActivityId, x.TimeoutPort })
            .FirstOrDefaultAsync(cancellationToken);
        return b is not null && await BurnAsync(bookmarkId, instanceId, b.ActivityId, b.TimeoutPort, null, cancellationToken);
    }

    private async Task<bool> BurnAsync(Guid bookmarkId, Guid instanceId, string activityId, string port, string? payload, CancellationToken ct)
    {
        // The delete decides: a concurrent burner blocks on the row (PostgreSQL, SQL Server) or on the write lock (SQLite)
        // and then deletes nothing.
        if (await db.Bookmarks.Where(x => x.Id == bookmarkId).ExecuteDeleteAsync(ct) != 1)
        {
            return false;
        }

        var now = time.GetUtcNow();
        db.Wakeups.Add(new WakeupRecord
        {
            Id = Guid.CreateVersion7(now),
            InstanceId = instanceId,
            ActivityId = activityId,
            Port = port,
            PayloadJson = payload,
            CreatedAt = now,
        });
        // Unconditional: a run that is finishing clears the mark only when no wakeup is left, and this update waits for
        // that run's lock on the row, so the mark and the wakeup are never both lost.
        await db.Instances.Where(i => i.Id == instanceId)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.RunnableSince, now), ct);
        db.RunnablePending.Add(instanceId);
        return true;
    }

    public static string StartKeyOf(string definitionId, Guid correlationId) => $"{definitionId}:{correlationId:N}";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Loop {DefinitionId} for {CorrelationId} cannot start: it has no published version; an incident waits for a retry.")]
    private static partial void LogNoDefinition(ILogger logger, string definitionId, Guid correlationId);
}
