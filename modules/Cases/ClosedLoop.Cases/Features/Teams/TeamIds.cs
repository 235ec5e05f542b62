using System.Collections.Concurrent;
using ClosedLoop.Cases.Data;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Cases.Features.Teams;

/// <summary>
/// Team ids by key, remembered once found: a team's key never changes and teams are not deleted (see
/// <see cref="TeamEndpoints"/>), so a key found once names the same team for good. Keys not found are not remembered:
/// the team may be created later. One per host, as each host has its own database.
/// </summary>
internal sealed class TeamIds
{
    private readonly ConcurrentDictionary<string, Guid> _known = new(StringComparer.Ordinal);

    /// <summary>The id of the team with <paramref name="key"/> (already normalised), or null when there is none.</summary>
    public async ValueTask<Guid?> OfAsync(CasesDbContext db, string key, CancellationToken cancellationToken)
    {
        if (_known.TryGetValue(key, out var id))
        {
            return id;
        }

        var found = await db.Teams.AsNoTracking().Where(t => t.Key == key).Select(t => (Guid?)t.Id).FirstOrDefaultAsync(cancellationToken);
        if (found is { } team)
        {
            _known[key] = team;
        }

        return found;
    }
}
