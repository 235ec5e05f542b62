using ClosedLoop.Cases.Data;
using ClosedLoop.Cases.Domain;
using ClosedLoop.Rules;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClosedLoop.Cases.Features.Teams;

/// <summary>Rule sets may only route to teams that exist: a <c>team</c> decision naming no team key is rejected at save.</summary>
internal sealed class TeamReferenceCheck(IServiceScopeFactory scopes) : IDecisionReferenceCheck
{
    public string Kind => "team";

    public async ValueTask<IReadOnlyCollection<string>> FindMissingAsync(IReadOnlyCollection<string> values, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CasesDbContext>();
        var keys = values.Select(Team.KeyOf).OfType<string>().Distinct().ToList();
        var known = await db.Teams.AsNoTracking().Where(t => keys.Contains(t.Key)).Select(t => t.Key).ToListAsync(cancellationToken);
        return [.. values.Where(v => Team.KeyOf(v) is not { } key || !known.Contains(key))];
    }
}
