using ClosedLoop.Cases.Contracts;
using ClosedLoop.Cases.Data;
using ClosedLoop.Cases.Domain;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Cases.Features.Cases;

/// <summary>Picks the least-loaded available member of a team who works at the case's level (ties: by name).</summary>
internal static class Assigner
{
    public static async Task<TeamMember?> LeastLoadedAsync(CasesDbContext db, Team team, EscalationLevel level, CancellationToken cancellationToken) =>
        Pick(team, level, await LoadAsync(db, team, cancellationToken));

    /// <summary>Open cases per member of <paramref name="team"/> (members without any are absent).</summary>
    public static async Task<Dictionary<string, int>> LoadAsync(CasesDbContext db, Team team, CancellationToken cancellationToken)
    {
        var ids = team.Members.Where(m => m.Available).Select(m => m.UserId).ToList();
        if (ids.Count == 0)
        {
            return new Dictionary<string, int>(StringComparer.Ordinal);
        }

        var open = CaseLifecycle.OpenStatuses.ToList();
        return await db.Cases.AsNoTracking()
            .Where(c => c.TeamId == team.Id && open.Contains(c.Status) && c.AssigneeId != null && ids.Contains(c.AssigneeId))
            .GroupBy(c => c.AssigneeId!)
            .Select(g => new { Id = g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.Id, x => x.Count, StringComparer.Ordinal, cancellationToken);
    }

    /// <summary>The member to take the next case, given <paramref name="load"/>; null when nobody available works at <paramref name="level"/>.</summary>
    public static TeamMember? Pick(Team team, EscalationLevel level, IReadOnlyDictionary<string, int> load) => team.Members
        .Where(m => m.Available && m.Level >= level)
        .OrderBy(m => load.GetValueOrDefault(m.UserId))
        .ThenBy(m => m.Level)
        .ThenBy(m => m.Name, StringComparer.Ordinal)
        .ThenBy(m => m.UserId, StringComparer.Ordinal)
        .FirstOrDefault();
}
