using ClosedLoop.Cases.Contracts;
using ClosedLoop.Cases.Data;
using ClosedLoop.Cases.Domain;
using ClosedLoop.Cases.Features.Access;
using ClosedLoop.Cases.Features.Cases;
using ClosedLoop.Cases.Features.Teams;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClosedLoop.Cases.Features.Sla;

/// <summary>
/// Looks for open cases that missed a target (records the breach once, with a CaseSlaBreached event) and for cases
/// past an automatic escalation threshold of their priority (untouched for too long: one level up per such
/// period; or too much of the resolution target used: once per case). Every replica may run it: each change is guarded by the
/// case's version, so two monitors never record the same breach twice.
/// </summary>
internal sealed partial class SlaMonitor(IServiceScopeFactory scopes, TimeProvider time, IOptions<CasesOptions> options, ILogger<SlaMonitor> logger) : BackgroundService
{
    private const int Batch = 200;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.MonitorEnabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.MonitorInterval, time);
        do
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One pass; returns the number of cases changed.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var changed = 0;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CasesDbContext>();
        var now = time.GetUtcNow();

        // Missed targets: the next due time has passed and not every passed target is recorded yet.
        var due = await db.Cases.AsNoTracking()
            // DueSort leads (an index range); the rest picks only cases with a miss still to record, so cases whose
            // miss is recorded but that stay overdue (unacknowledged) never crowd newer misses out of the batch.
            .Where(c => c.DueSort < now
                && ((c.AcknowledgedAt == null && c.FirstResponseBreachedAt == null && c.FirstResponseDueAt < now)
                    || (c.ResolutionBreachedAt == null && c.PausedSince == null && c.ResolutionDueAt < now)))
            .OrderBy(c => c.DueSort).Select(c => c.Id).Take(Batch).ToListAsync(cancellationToken);
        foreach (var id in due)
        {
            var result = await CaseWork.RunAsync(db, id, null, null, time, c =>
            {
                c.Case.DetectBreaches(c.Now);
                return Task.FromResult<ClosedLoop.SharedKernel.Error?>(null);
            }, cancellationToken);
            changed += result.IsSuccess ? 1 : 0;
        }

        foreach (var (name, threshold) in options.Value.AutoEscalation)
        {
            if (Names.Priority(name) is not { } priority)
            {
                continue;
            }

            changed += await EscalateAsync(db, priority, threshold, now, cancellationToken);
        }

        return changed;
    }

    private async Task<int> EscalateAsync(CasesDbContext db, CasePriority priority, EscalationThreshold threshold, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var candidates = db.Cases.AsNoTracking().Where(c => c.Priority == priority && c.Level != EscalationLevel.Executive && c.DueSort != Case.NothingDue);
        var ids = new List<Guid>();
        if (threshold.UntouchedHours is > 0 and var hours)
        {
            var since = now - TimeSpan.FromHours(hours);
            ids.AddRange(await candidates.Where(c => c.LastActivityAt < since).OrderBy(c => c.LastActivityAt).Select(c => c.Id).Take(Batch).ToListAsync(cancellationToken));
        }

        if (threshold.BeforeBreachFraction is > 0 and < 1 and var fraction)
        {
            // Due soon: the resolution due time is within the last (1 − fraction) of the target. Business time is
            // checked exactly per case below; the wall-clock window here only narrows the scan.
            // The exact check runs here on what was read, not through a unit of work per candidate: most candidates are
            // not there yet and stay candidates pass after pass (a thousand loads and transactions every pass, which
            // held SQLite's writer while an import's cases were being opened).
            var rows = await candidates.Where(c => c.AutoEscalatedTo == null && c.PausedSince == null && c.ResolutionDueAt > now)
                .OrderBy(c => c.DueSort).Take(Batch * 5).ToListAsync(cancellationToken);
            rows.RemoveAll(r => (r.ResolutionDueAt - now).TotalMinutes > r.ResolutionTargetMinutes * (1 - fraction) * 7);
            var teamIds = rows.Select(r => r.TeamId).OfType<Guid>().Distinct().ToList();
            var teams = teamIds.Count == 0 ? [] : await db.Teams.AsNoTracking().Where(t => teamIds.Contains(t.Id)).ToDictionaryAsync(t => t.Id, cancellationToken);
            ids.AddRange(rows
                .Where(r => Reason(r, threshold, TeamSchedule.CalendarOf(r.TeamId is { } team ? teams.GetValueOrDefault(team) : null), now) is not null)
                .Select(r => r.Id));
        }

        var escalated = 0;
        foreach (var id in ids.Distinct())
        {
            var result = await CaseWork.RunAsync(db, id, null, null, time, c =>
            {
                var reason = Reason(c.Case, threshold, c.Calendar, c.Now);
                return Task.FromResult(reason is null ? null : c.Case.Escalate(null, reason, automatic: true, CaseActors.Monitor, c.Now));
            }, cancellationToken);
            escalated += result.IsSuccess ? 1 : 0;
        }

        return escalated;
    }

    /// <summary>Why the case should go up now, or null when it should not (re-checked on the fresh case).</summary>
    private static string? Reason(Case c, EscalationThreshold threshold, Domain.Sla.BusinessCalendar calendar, DateTimeOffset now)
    {
        if (!CaseLifecycle.IsOpen(c.Status) || c.Level == EscalationLevel.Executive)
        {
            return null;
        }

        if (threshold.UntouchedHours is { } hours && now - c.LastActivityAt >= TimeSpan.FromHours(hours))
        {
            return $"Untouched for {(now - c.LastActivityAt).TotalHours:0.#} hours (threshold for {Names.Of(c.Priority)}: {hours:0.#} h).";
        }

        // Nearing the breach escalates once per case: the level above then owns the deadline.
        if (threshold.BeforeBreachFraction is { } fraction && c.AutoEscalatedTo is null && !c.IsPaused && c.ResolutionTargetMinutes > 0)
        {
            var used = (calendar.Between(c.OpenedAt, now).TotalMinutes - c.PausedMinutes) / c.ResolutionTargetMinutes;
            if (used >= fraction && now <= c.ResolutionDueAt)
            {
                return $"{used:P0} of the resolution target used (threshold for {Names.Of(c.Priority)}: {fraction:P0}); due {c.ResolutionDueAt:u}.";
            }
        }

        return null;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The SLA monitor pass failed; it runs again at the next tick")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
