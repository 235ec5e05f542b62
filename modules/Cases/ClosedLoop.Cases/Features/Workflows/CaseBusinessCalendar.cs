using ClosedLoop.Cases.Data;
using ClosedLoop.Cases.Features.Teams;
using ClosedLoop.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Cases.Features.Workflows;

/// <summary>
/// Business time for loops in the calendar the case's SLA clocks use: its team's hours, holidays and time zone
/// (<see cref="TeamSchedule.CalendarOf"/>); round the clock when the case has no team, or no longer exists.
/// </summary>
internal sealed class CaseBusinessCalendar(CasesDbContext db) : IBusinessCalendar
{
    public async Task<DateTimeOffset> AddBusinessTimeAsync(Guid caseId, DateTimeOffset from, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        var teamId = await db.Cases.AsNoTracking().Where(c => c.Id == caseId).Select(c => c.TeamId).FirstOrDefaultAsync(cancellationToken);
        var team = teamId is { } id ? await db.Teams.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, cancellationToken) : null;
        return TeamSchedule.CalendarOf(team).Add(from, duration);
    }
}
