using System.Security.Claims;
using ClosedLoop.Cases.Contracts;
using ClosedLoop.Cases.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClosedLoop.Cases.Features.Access;

/// <summary>The caller's reach over cases, by team key, for other modules (the same rule as <see cref="CaseViewer"/>).</summary>
internal sealed class CaseAccess(CasesDbContext db, IOptions<CasesOptions> options) : ICaseAccess
{
    public async Task<CaseScope> ScopeOfAsync(ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        var (actor, isAdmin, everyTeam) = CaseViewer.Identify(user, options);
        if (isAdmin || everyTeam)
        {
            return CaseScope.Everything;
        }

        var teams = await db.Members.AsNoTracking()
            .Where(m => m.UserId == actor.Id)
            .Join(db.Teams, m => m.TeamId, t => t.Id, (m, t) => new { t.Key, m.Level })
            .ToListAsync(cancellationToken);
        return new CaseScope(false, teams.ToDictionary(t => t.Key, t => t.Level, StringComparer.Ordinal));
    }
}
