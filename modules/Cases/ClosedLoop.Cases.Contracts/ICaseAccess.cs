using System.Security.Claims;

namespace ClosedLoop.Cases.Contracts;

/// <summary>
/// Which cases a caller may see, for modules that show what hangs off cases (a customer, their feedback). The rule is
/// the case list's: admins and every-team members see every case; anyone else the cases of the teams they are a member
/// of, at their level in that team and below.
/// </summary>
public interface ICaseAccess
{
    /// <summary>The caller's reach, read fresh (a membership change counts at the next request).</summary>
    Task<CaseScope> ScopeOfAsync(ClaimsPrincipal user, CancellationToken cancellationToken = default);
}

/// <summary>Whose cases a caller sees: every team's, or those of some teams up to a level each.</summary>
/// <param name="AllTeams">Every case (admins, and callers configured as members of every team).</param>
/// <param name="Teams">Team key → the highest level the caller sees in that team; empty when the caller is in no team.</param>
public sealed record CaseScope(bool AllTeams, IReadOnlyDictionary<string, EscalationLevel> Teams)
{
    /// <summary>Every case.</summary>
    public static CaseScope Everything { get; } = new(true, new Dictionary<string, EscalationLevel>());

    /// <summary>Whether a case of <paramref name="team"/> at <paramref name="level"/> is in reach.</summary>
    public bool Sees(string? team, EscalationLevel level) =>
        AllTeams || (team is not null && Teams.TryGetValue(team, out var highest) && level <= highest);

    /// <summary>The keys of the teams in which the caller sees cases at <paramref name="level"/> (their level there is this one or higher).</summary>
    public IReadOnlyList<string> TeamsSeeing(EscalationLevel level) => [.. Teams.Where(t => t.Value >= level).Select(t => t.Key).Order(StringComparer.Ordinal)];
}
