using System.Diagnostics;
using System.Text.Json;
using ClosedLoop.Workflows.Definitions;
using ClosedLoop.Workflows.Runtime.Data;
using ClosedLoop.Workflows.Runtime.Timers;
using ClosedLoop.Workflows.Store.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClosedLoop.Workflows.Runtime;

/// <summary>
/// Runs one instance from its wakeups and queued tokens until every token waits, ends or faults, then commits the new
/// state, the burned and new bookmarks, the consumed wakeups, the execution log, incidents and the finished event in ONE
/// transaction guarded by the instance's revision. A run that lost the race (another host committed first) commits
/// nothing; the steps it ran are keyed by <see cref="ActivityExecutionContext.StepKey"/>, so their side effects dedupe.
/// Timers of new bookmarks are handed to Quartz after the commit (the bookmark row is the timer's truth; the relay
/// schedules any a crash left unscheduled).
/// </summary>
internal sealed partial class InstanceRunner(
    IServiceScopeFactory scopes,
    DefinitionCache definitions,
    IWorkflowTimerScheduler timers,
    TimeProvider time,
    IOptions<WorkflowRuntimeOptions> options,
    ILogger<InstanceRunner> logger)
{
    private DefinitionCache Definitions { get; } = definitions;

    private TimeProvider Time { get; } = time;

    private WorkflowRuntimeOptions Options { get; } = options.Value;

    private ILogger Logger { get; } = logger;

    public string Owner { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}" is var o && o.Length > 64 ? o[^64..] : o;

    /// <summary>Claims the instance (a lease) and runs it; false when it had nothing to do or another runner holds it.</summary>
    public async Task<bool> RunAsync(Guid instanceId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WorkflowsDbContext>();
        var now = Time.GetUtcNow();
        var until = now + Options.Lease;
        var claimed = await db.Instances
            .Where(i => i.Id == instanceId && i.RunnableSince != null && (i.LeaseUntil == null || i.LeaseUntil < now))
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.LeaseOwner, Owner).SetProperty(i => i.LeaseUntil, until), ct);
        if (claimed == 0)
        {
            return false;
        }

        try
        {
            await new Run(this, scope.ServiceProvider, db, instanceId).ExecuteAsync(ct);
            return true;
        }
        catch (DbUpdateConcurrencyException)
        {
            LogLostRace(Logger, instanceId);
            await ReleaseAsync(instanceId, CancellationToken.None);
            return false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            LogRunFailed(Logger, ex, instanceId);
            await ReleaseAsync(instanceId, CancellationToken.None);
            return false;
        }
    }

    private async Task ReleaseAsync(Guid instanceId, CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<WorkflowsDbContext>();
            await db.Instances.Where(i => i.Id == instanceId && i.LeaseOwner == Owner)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.LeaseOwner, (string?)null).SetProperty(i => i.LeaseUntil, (DateTimeOffset?)null), ct);
        }
        catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or System.Data.Common.DbException)
        {
            // The lease expires on its own.
            LogRunFailed(Logger, ex, instanceId);
        }
    }

    private sealed class Run(InstanceRunner runner, IServiceProvider services, WorkflowsDbContext db, Guid instanceId)
    {
        private readonly List<WorkflowTimer> newTimers = [];
        private readonly List<Guid> cancelledTimers = [];
        private readonly List<WorkflowStimulus> newWaits = [];
        private InstanceRecord instance = null!;
        private InstanceState state = null!;
        private LoadedDefinition definition = null!;
        private List<BookmarkRecord> bookmarks = null!;
        private CaseFacts? facts;
        private Dictionary<string, IActivityHandler>? handlers;
        private bool factsLoaded;
        private bool ended;
        private DateTimeOffset now;

        public async Task ExecuteAsync(CancellationToken ct)
        {
            now = runner.Time.GetUtcNow();
            instance = await db.Instances.FirstAsync(i => i.Id == instanceId, ct);

            // Bookmarks are written only by a run's commit (which raises the revision), and wakeups only by burning a
            // bookmark: an instance no run has committed yet (a loop just started) has neither, so neither is read.
            var fresh = instance.Revision == 0;
            var wakeups = fresh ? [] : await db.Wakeups.Where(w => w.InstanceId == instanceId).OrderBy(w => w.CreatedAt).ThenBy(w => w.Id).ToListAsync(ct);
            if (instance.Status is InstanceStatus.Completed or InstanceStatus.Cancelled)
            {
                // A late stimulus for a finished loop: nothing to resume.
                db.Wakeups.RemoveRange(wakeups);
                await CommitAsync(ct);
                return;
            }

            if (instance.Status == InstanceStatus.Faulted)
            {
                // Wakeups wait for the retry, which runs the faulted step first.
                await CommitAsync(ct, keepWakeups: true);
                return;
            }

            state = InstanceState.Parse(instance.StateJson);
            var loaded = await runner.Definitions.GetAsync(db, instance.DefinitionId, instance.Version, ct);
            if (loaded is null)
            {
                Fault(new Token(string.Empty, null), "(definition)", "Definition", $"Version {instance.Version} of '{instance.DefinitionId}' is not found.");
                await CommitAsync(ct);
                return;
            }

            definition = loaded;
            bookmarks = fresh ? [] : await db.Bookmarks.Where(b => b.InstanceId == instanceId).ToListAsync(ct);
            foreach (var w in wakeups)
            {
                var type = definition.Activities.TryGetValue(w.ActivityId, out var a) ? a.Type : "?";
                if (w.PayloadJson is not null)
                {
                    using var payload = JsonDocument.Parse(w.PayloadJson);
                    state.Outputs[w.ActivityId] = payload.RootElement.Clone();
                }

                Log(w.ActivityId, type, "resumed", w.Port, null, 0);
                Flow(w.ActivityId, w.Port);
                db.Wakeups.Remove(w);
            }

            var steps = 0;
            while (state.Queue.Count > 0 && !ended && instance.Status != InstanceStatus.Faulted && steps++ < runner.Options.MaxStepsPerRun)
            {
                var token = state.Queue[0];
                state.Queue.RemoveAt(0);
                await StepAsync(token, ct);
            }

            if (!ended && instance.Status != InstanceStatus.Faulted)
            {
                instance.Status = state.Queue.Count > 0 ? InstanceStatus.Running
                    : bookmarks.Count > 0 ? InstanceStatus.Waiting
                    : InstanceStatus.Completed;
                if (instance.Status == InstanceStatus.Completed)
                {
                    Finish("completed");
                }
            }

            await CommitAsync(ct);
        }

        private async Task StepAsync(Token token, CancellationToken ct)
        {
            if (!definition.Activities.TryGetValue(token.Activity, out var activity))
            {
                Fault(token, token.Activity, "?", $"Activity '{token.Activity}' is not in version {instance.Version}.");
                return;
            }

            var started = Stopwatch.GetTimestamp();
            ActivityResult result;
            try
            {
                result = await ExecuteAsync(activity, token, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                result = ActivityResult.Fault(ex.Message);
            }

            var ms = (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            switch (result)
            {
                case ActivityResult.Completed c:
                    if (c.Output is { } output)
                    {
                        state.Outputs[activity.Id] = output;
                    }

                    Log(activity.Id, activity.Type, "completed", c.Port, null, ms);
                    if (activity.Type == BuiltInActivities.End)
                    {
                        End();
                    }
                    else
                    {
                        Flow(activity.Id, c.Port);
                    }

                    break;
                case ActivityResult.Waiting { Bookmark.DueAt: { } dueAt } w when dueAt <= now:
                    // Already due (a zero delay, a timeout that has passed): no bookmark, trigger or second run to wait for.
                    Log(activity.Id, activity.Type, "completed", w.Bookmark.TimeoutPort, "due at once", ms);
                    Flow(activity.Id, w.Bookmark.TimeoutPort);
                    break;
                case ActivityResult.Waiting w:
                    var bookmark = new BookmarkRecord
                    {
                        Id = Guid.CreateVersion7(now),
                        InstanceId = instance.Id,
                        ActivityId = activity.Id,
                        ActivityType = activity.Type,
                        Kind = w.Bookmark.Kind,
                        Key = w.Bookmark.Key,
                        DueAt = w.Bookmark.DueAt,
                        Port = w.Bookmark.Port,
                        TimeoutPort = w.Bookmark.TimeoutPort,
                        CreatedAt = now,
                    };
                    bookmarks.Add(bookmark);
                    db.Bookmarks.Add(bookmark);
                    if (bookmark.Kind is { } kind && bookmark.Key is { } key)
                    {
                        newWaits.Add(new WorkflowStimulus(kind, key));
                    }

                    if (bookmark.DueAt is { } due)
                    {
                        newTimers.Add(new WorkflowTimer(bookmark.Id, instance.Id, due));
                    }

                    Log(activity.Id, activity.Type, "waiting", null, w.Bookmark.DueAt is { } d ? $"until {d:O}" : w.Bookmark.Kind, ms);
                    break;
                case ActivityResult.Faulted f:
                    Fault(token, activity.Id, activity.Type, f.Message);
                    break;
                case null:
                    // Join still waiting for other branches.
                    Log(activity.Id, activity.Type, "joined", null, null, ms);
                    break;
            }
        }

        private async Task<ActivityResult> ExecuteAsync(WorkflowActivity activity, Token token, CancellationToken ct)
        {
            switch (activity.Type)
            {
                case BuiltInActivities.Start:
                case BuiltInActivities.End:
                case BuiltInActivities.FlowFork:
                    return ActivityResult.Complete();
                case BuiltInActivities.FlowDecision:
                    return ActivityResult.Complete(await BooleanAsync(activity, "condition", ct) ? "True" : "False");
                case BuiltInActivities.FlowSwitch:
                    foreach (var item in activity.Inputs["cases"].Value.EnumerateArray())
                    {
                        var condition = new WorkflowExpression(WorkflowExpressionType.Expression, item.GetProperty("condition"));
                        var value = definition.Evaluate(activity.Id, "cases:" + item.GetProperty("label").GetString(), condition, state.Variables, await FactsAsync(ct));
                        if (value.ValueKind == JsonValueKind.True)
                        {
                            return ActivityResult.Complete(item.GetProperty("label").GetString()!);
                        }
                    }

                    return ActivityResult.Complete("Default");
                case BuiltInActivities.FlowJoin:
                    return Join(activity, token)!;
                case BuiltInActivities.SetVariable:
                    var name = activity.Inputs["variable"].Value.GetString()!;
                    var declared = definition.Document.Variables.First(v => v.Name == name);
                    var set = await InputAsync(activity, "value", ct);
                    state.Variables[name] = Coerce(set, declared.Type);
                    return ActivityResult.Complete();
                case BuiltInActivities.Delay:
                    var duration = TimeSpanOf(await InputAsync(activity, "duration", ct), "duration");
                    var business = activity.Inputs.ContainsKey("businessHours") && (await InputAsync(activity, "businessHours", ct)).ValueKind == JsonValueKind.True;
                    var due = business && services.GetService<IBusinessCalendar>() is { } calendar
                        ? await calendar.AddBusinessTimeAsync(instance.CorrelationId, now, duration, ct)
                        : now + duration;
                    return ActivityResult.Wait(BookmarkRequest.Timer(due));
                default:
                    handlers ??= services.GetServices<IActivityHandler>().ToDictionary(h => h.ActivityType, StringComparer.Ordinal);
                    if (!handlers.TryGetValue(activity.Type, out var handler))
                    {
                        return ActivityResult.Fault($"No handler runs activity type '{activity.Type}' in this host.");
                    }

                    var inputs = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                    foreach (var (input, _) in activity.Inputs)
                    {
                        inputs[input] = await InputAsync(activity, input, ct);
                    }

                    var context = new ActivityExecutionContext(
                        instance.Id, instance.DefinitionId, instance.Version, instance.CorrelationId, activity,
                        $"{instance.Id:N}:{activity.Id}:{state.Sequence + 1}", now, inputs, state.Variables, services);
                    return await handler.ExecuteAsync(context, ct);
            }
        }

        /// <summary>Null while a WaitAll join waits for more branches.</summary>
        private ActivityResult? Join(WorkflowActivity join, Token token)
        {
            var mode = join.Inputs.TryGetValue("mode", out var m) ? m.Value.GetString() : "WaitAll";
            if (mode == "WaitAny")
            {
                // The first branch wins; the others are cancelled: their waits and queued tokens upstream of this join.
                var branch = definition.Upstream(join.Id);
                branch.ExceptWith(definition.Downstream(join.Id));
                foreach (var b in bookmarks.Where(b => branch.Contains(b.ActivityId)).ToList())
                {
                    CancelBookmark(b);
                    Log(b.ActivityId, b.ActivityType, "cancelled", null, $"{join.Id} continued with another branch", 0);
                }

                state.Queue.RemoveAll(t => branch.Contains(t.Activity));
                return ActivityResult.Complete();
            }

            var inbound = definition.Incoming.TryGetValue(join.Id, out var list) ? list : [];
            if (!state.Joins.TryGetValue(join.Id, out var arrived))
            {
                state.Joins[join.Id] = arrived = [];
            }

            if (token.From is { } from && !arrived.Contains(from))
            {
                arrived.Add(from);
            }

            if (inbound.All(arrived.Contains))
            {
                state.Joins.Remove(join.Id);
                return ActivityResult.Complete();
            }

            return null;
        }

        private void Flow(string activity, string port)
        {
            foreach (var target in definition.Targets(activity, port))
            {
                state.Queue.Add(new Token(target, $"{activity}:{port}"));
            }
        }

        private void End()
        {
            ended = true;
            foreach (var b in bookmarks.ToList())
            {
                CancelBookmark(b);
            }

            state.Queue.Clear();
            instance.Status = InstanceStatus.Completed;
            Finish("completed");
        }

        private void CancelBookmark(BookmarkRecord b)
        {
            bookmarks.Remove(b);
            if (db.Entry(b).State == EntityState.Added)
            {
                db.Entry(b).State = EntityState.Detached;
                newTimers.RemoveAll(t => t.BookmarkId == b.Id);
            }
            else
            {
                db.Bookmarks.Remove(b);
                if (b.DueAt is not null)
                {
                    cancelledTimers.Add(b.Id);
                }
            }
        }

        private void Finish(string outcome)
        {
            instance.FinishedAt = now;
            db.Publish(InstanceState.Finished(instance, state, outcome, now));
        }

        private void Fault(Token token, string activityId, string activityType, string message)
        {
            var text = message.Length > RuntimeModel.MaxMessageLength ? message[..RuntimeModel.MaxMessageLength] : message;
            instance.Status = InstanceStatus.Faulted;
            if (state is not null)
            {
                state.Faulted = token;
            }

            db.Incidents.Add(new IncidentRecord
            {
                Id = Guid.CreateVersion7(now),
                InstanceId = instance.Id,
                ActivityId = activityId,
                ActivityType = activityType,
                Message = text,
                CreatedAt = now,
            });
            if (state is not null)
            {
                Log(activityId, activityType, "faulted", null, text, 0);
            }

            LogFaulted(runner.Logger, instance.Id, activityId, text);
        }

        private void Log(string activityId, string type, string outcome, string? port, string? message, int ms)
        {
            db.Executions.Add(new ExecutionRecord
            {
                InstanceId = instance.Id,
                Sequence = ++state.Sequence,
                ActivityId = activityId.Length > 64 ? activityId[..64] : activityId,
                ActivityType = type.Length > 64 ? type[..64] : type,
                Outcome = outcome,
                Port = port,
                Message = message is { Length: > RuntimeModel.MaxMessageLength } ? message[..RuntimeModel.MaxMessageLength] : message,
                At = now,
                DurationMs = ms,
            });
        }

        private async Task<JsonElement> InputAsync(WorkflowActivity activity, string input, CancellationToken ct) =>
            activity.Inputs.TryGetValue(input, out var expression)
                ? definition.Evaluate(activity.Id, input, expression, state.Variables, expression.Type == WorkflowExpressionType.Expression ? await FactsAsync(ct) : null)
                : JsonSerializer.SerializeToElement<object?>(null);

        private async Task<bool> BooleanAsync(WorkflowActivity activity, string input, CancellationToken ct) =>
            (await InputAsync(activity, input, ct)).ValueKind == JsonValueKind.True;

        private async Task<CaseFacts?> FactsAsync(CancellationToken ct)
        {
            if (!factsLoaded)
            {
                facts = services.GetService<ICaseFactsSource>() is { } source ? await source.FindAsync(instance.CorrelationId, ct) : null;
                factsLoaded = true;
            }

            return facts;
        }

        private async Task CommitAsync(CancellationToken ct, bool keepWakeups = false)
        {
            if (state is not null)
            {
                var json = state.ToJson();
                if (json.Length > InstanceState.MaxBytes)
                {
                    throw new InvalidOperationException($"The instance's state would exceed {InstanceState.MaxBytes / 1024} KB.");
                }

                instance.StateJson = json;
            }

            instance.UpdatedAt = now;
            instance.Revision++;
            instance.LeaseOwner = null;
            instance.LeaseUntil = null;
            var more = state is not null && state.Queue.Count > 0 && instance.Status == InstanceStatus.Running;
            instance.RunnableSince = more ? now : null;
            await using (var tx = await db.Database.BeginTransactionAsync(ct))
            {
                await db.SaveChangesAsync(ct);
                if (!more && !keepWakeups && instance.Status is InstanceStatus.Running or InstanceStatus.Waiting)
                {
                    // A stimulus that committed meanwhile left a wakeup this run did not see: stay runnable for it.
                    var id = instance.Id;
                    var at = now;
                    if (await db.Instances.Where(i => i.Id == id && db.Wakeups.Any(w => w.InstanceId == id))
                        .ExecuteUpdateAsync(s => s.SetProperty(i => i.RunnableSince, at), ct) > 0)
                    {
                        db.RunnablePending.Add(id);
                    }
                }

                if (more)
                {
                    db.RunnablePending.Add(instance.Id);
                }

                await tx.CommitAsync(ct);
            }

            newWaits.RemoveAll(w => !bookmarks.Any(b => b.Kind == w.Kind && b.Key == w.Key));
            await runner.AfterCommitAsync(db, newTimers, cancelledTimers, ct);
            await runner.RecheckAsync(services, newWaits, ct);
        }

        private static TimeSpan TimeSpanOf(JsonElement value, string input) =>
            value.ValueKind == JsonValueKind.String && WorkflowDurations.TryParse(value.GetString(), out var t)
                ? t
                : throw new InvalidOperationException($"'{input}' is not a duration.");

        private static JsonElement Coerce(JsonElement value, VariableType type) => type switch
        {
            VariableType.String when value.ValueKind is not JsonValueKind.String and not JsonValueKind.Null => JsonSerializer.SerializeToElement(value.ToString()),
            VariableType.Number when value.ValueKind is not JsonValueKind.Number and not JsonValueKind.Null =>
                throw new InvalidOperationException($"A Number variable cannot hold {value.ValueKind}."),
            VariableType.Boolean when value.ValueKind is not JsonValueKind.True and not JsonValueKind.False and not JsonValueKind.Null =>
                throw new InvalidOperationException($"A Boolean variable cannot hold {value.ValueKind}."),
            _ => value.Clone(),
        };
    }

    /// <summary>Hands new timers to Quartz and takes cancelled ones back; a failure leaves the relay to finish it.</summary>
    internal async Task AfterCommitAsync(WorkflowsDbContext db, IReadOnlyCollection<WorkflowTimer> scheduled, IReadOnlyCollection<Guid> cancelled, CancellationToken ct)
    {
        try
        {
            if (scheduled.Count > 0)
            {
                await timers.ScheduleAsync(scheduled, ct);
                var ids = scheduled.Select(t => t.BookmarkId).ToList();
                await db.Bookmarks.Where(b => ids.Contains(b.Id)).ExecuteUpdateAsync(s => s.SetProperty(b => b.TimerScheduled, true), ct);
            }

            if (cancelled.Count > 0)
            {
                await timers.UnscheduleAsync(cancelled, ct);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogTimersDeferred(Logger, ex);
        }
    }

    /// <summary>Resumes new bookmarks whose stimulus happened before they were committed (see <see cref="IStimulusCheck"/>).</summary>
    internal async Task RecheckAsync(IServiceProvider services, IReadOnlyCollection<WorkflowStimulus> waits, CancellationToken ct)
    {
        if (waits.Count == 0)
        {
            return;
        }

        var checks = services.GetServices<IStimulusCheck>().ToDictionary(c => c.Kind, StringComparer.Ordinal);
        foreach (var wait in waits.Distinct())
        {
            try
            {
                if (checks.TryGetValue(wait.Kind, out var check) && await check.HasHappenedAsync(wait.Key, ct))
                {
                    await services.GetRequiredService<IWorkflowRuntime>().ResumeAsync(wait, ct);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRecheckFailed(Logger, ex, wait.Kind, wait.Key);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checking whether {Kind} {Key} already happened failed; the bookmark waits for the stimulus or its timer.")]
    private static partial void LogRecheckFailed(ILogger logger, Exception ex, string kind, string key);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Instance {InstanceId} was run by another runner first; this run committed nothing.")]
    private static partial void LogLostRace(ILogger logger, Guid instanceId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Running instance {InstanceId} failed; it stays runnable and is tried again.")]
    private static partial void LogRunFailed(ILogger logger, Exception ex, Guid instanceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Instance {InstanceId} faulted at {ActivityId}: {Message}")]
    private static partial void LogFaulted(ILogger logger, Guid instanceId, string activityId, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Timers could not be handed to the scheduler now; the relay schedules them.")]
    private static partial void LogTimersDeferred(ILogger logger, Exception ex);
}
