using ClosedLoop.Cases.Data;
using ClosedLoop.Cases.Domain;
using ClosedLoop.Cases.Domain.Sla;
using ClosedLoop.Cases.Features.Access;
using ClosedLoop.Cases.Features.Teams;
using ClosedLoop.SharedKernel;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Cases.Features.Cases;

/// <summary>What an action needs: the case (tracked), its team and calendar, the clock.</summary>
internal sealed record CaseContext(Case Case, Team? Team, BusinessCalendar Calendar, DateTimeOffset Now, CasesDbContext Db);

/// <summary>
/// Runs one action on one case: loads it (404 unless the viewer may see it), checks <c>If-Match</c> (412 when
/// stale), applies the action, and saves the case, its timeline entries and its events in one transaction guarded
/// by the case's version. Without <c>If-Match</c> a concurrent change makes the action run again on the fresh case
/// (it may then be refused with 409), so no update is ever lost.
/// </summary>
internal static class CaseWork
{
    private const int Attempts = 12;

    public static async Task<Result<Case>> RunAsync(
        CasesDbContext db, Guid id, CaseViewer? viewer, string? ifMatch, TimeProvider time, Func<CaseContext, Task<Error?>> action, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            db.ChangeTracker.Clear();
            var found = await db.Cases.FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
            if (found is null || (viewer is not null && !viewer.CanSee(found)))
            {
                return Error.NotFound("case-not-found", $"No case with id '{id}'.");
            }

            if (ifMatch is not null && ifMatch != "*" && ifMatch != found.ETag)
            {
                return Stale(found);
            }

            var access = (found.TeamKey, found.Level);
            var team = found.TeamId is { } teamId ? await db.Teams.AsNoTracking().Include(t => t.Members).FirstOrDefaultAsync(t => t.Id == teamId, cancellationToken) : null;
            var context = new CaseContext(found, team, TeamSchedule.CalendarOf(team), time.GetUtcNow(), db);
            if (await action(context) is { } refused)
            {
                return refused;
            }

            if (found.NewEntries.Count == 0 && found.Events.Count == 0)
            {
                return found;
            }

            found.Version++;
            if ((found.TeamKey, found.Level) != access)
            {
                found.Events.Add(found.AccessChanged());
            }

            db.Entries.AddRange(found.NewEntries);
            foreach (var e in found.Events)
            {
                db.Publish(e);
            }

            try
            {
                await db.SaveChangesAsync(cancellationToken);
                found.NewEntries.Clear();
                found.Events.Clear();
                return found;
            }
            catch (DbUpdateConcurrencyException) when (ifMatch is null && attempt < Attempts)
            {
                // Someone acted first: run the action again on what they saved, after a short jittered pause so
                // that a crowd of racers spreads out instead of colliding again.
                await Task.Delay(Random.Shared.Next(1, 10 * attempt), cancellationToken);
            }
            catch (DbUpdateConcurrencyException)
            {
                db.ChangeTracker.Clear();
                var now = await db.Cases.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
                return now is null ? Error.NotFound("case-not-found", $"No case with id '{id}'.") : Stale(now);
            }
        }
    }

    private static Error Stale(Case current) => new(ErrorKind.PreconditionFailed, "case-changed",
        $"The case changed since you read it (it is now at version {current.Version}, ETag {current.ETag}). Read it again and decide whether your action still applies.");
}
