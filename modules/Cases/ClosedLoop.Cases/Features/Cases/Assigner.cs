using ClosedLoop.Cases.Contracts;
using ClosedLoop.Cases.Data;
using ClosedLoop.Cases.Domain;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Cases.Features.Cases;

/// <summary>Picks the least-loaded available member of a team who works at the case's level (ties: by name).</summary>
internal static class Assigner
{
    public static async Task<TeamMember?> LeastLoadedAsync(CasesDbContext db, Team team, EscalationLevel level, CancellationToken cancellationToken)
    {
        var candidates = team.Members.Where(m => m.Available && m.Level >= level).ToList();
        if (candidates.Count == 0)
        {
            return null;
        }

        var ids = candidates.Select(m => m.UserId).ToList();
        var open = CaseLifecycle.OpenStatuses.ToList();
        var load = await db.Cases.AsNoTracking()
            .Where(c => c.TeamId == team.Id && open.Contains(c.Status) && c.AssigneeId != null && ids.Contains(c.AssigneeId))
            .GroupBy(c => c.AssigneeId!)
            .Select(g => new { Id = g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.Id, x => x.Count, cancellationToken);
        return candidates
            .OrderBy(m => load.GetValueOrDefault(m.UserId))
            .ThenBy(m => m.Level)
            .ThenBy(m => m.Name, StringComparer.Ordinal)
            .ThenBy(m => m.UserId, StringComparer.Ordinal)
            .First();
    }
}
