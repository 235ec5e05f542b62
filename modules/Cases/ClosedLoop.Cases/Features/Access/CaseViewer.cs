using System.Security.Claims;
using ClosedLoop.Cases.Contracts;
using ClosedLoop.Cases.Data;
using ClosedLoop.Cases.Domain;
using ClosedLoop.SharedKernel;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClosedLoop.Cases.Features.Access;

/// <summary>Module settings for who sees what.</summary>
internal sealed class CasesOptions
{
    public const string Section = "Cases";

    /// <summary>Caller ids that count as executive-level members of every team (Development: the development agent).</summary>
    public List<string> EveryTeamMembers { get; set; } = [];

    /// <summary>How often the SLA monitor looks for breaches and automatic escalations.</summary>
    public TimeSpan MonitorInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether the SLA monitor runs in this process.</summary>
    public bool MonitorEnabled { get; set; } = true;

    /// <summary>Automatic escalation thresholds by priority name; a priority without one is never escalated automatically.</summary>
    public Dictionary<string, EscalationThreshold> AutoEscalation { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["urgent"] = new() { UntouchedHours = 2, BeforeBreachFraction = 0.75 },
        ["high"] = new() { UntouchedHours = 8, BeforeBreachFraction = 0.9 },
        ["normal"] = new() { UntouchedHours = 48 },
    };
}

/// <summary>When an open case goes up a level by itself.</summary>
internal sealed class EscalationThreshold
{
    /// <summary>Escalate when nothing happened on the case for this many wall-clock hours.</summary>
    public double? UntouchedHours { get; set; }

    /// <summary>Escalate when this fraction of the resolution target is used up (0.75 = three quarters).</summary>
    public double? BeforeBreachFraction { get; set; }
}

/// <summary>
/// Who is asking, and which cases they may see: admins all; agents those of their teams at their level and below
/// (everything else answers 404, so case ids cannot be probed).
/// </summary>
internal sealed record CaseViewer(CaseActor Actor, bool IsAdmin, IReadOnlyDictionary<Guid, EscalationLevel> Teams, bool EveryTeam)
{
    public static async Task<CaseViewer> OfAsync(ClaimsPrincipal user, CasesDbContext db, IOptions<CasesOptions> options, CancellationToken cancellationToken)
    {
        var (actor, isAdmin, everyTeam) = Identify(user, options);
        if (isAdmin || everyTeam)
        {
            return new CaseViewer(actor, isAdmin, new Dictionary<Guid, EscalationLevel>(), true);
        }

        var memberships = await db.Members.AsNoTracking().Where(m => m.UserId == actor.Id).Select(m => new { m.TeamId, m.Level }).ToListAsync(cancellationToken);
        return new CaseViewer(actor, false, memberships.ToDictionary(m => m.TeamId, m => m.Level), false);
    }

    /// <summary>Who is asking, whether they are an admin, and whether they count as a member of every team; no database.</summary>
    public static (CaseActor Actor, bool IsAdmin, bool EveryTeam) Identify(ClaimsPrincipal user, IOptions<CasesOptions> options)
    {
        var id = user.FindFirstValue(ClaimTypes.NameIdentifier) ?? user.FindFirstValue("sub") ?? "anonymous";
        var actor = new CaseActor(id, user.Identity?.Name ?? user.FindFirstValue("name") ?? id);
        return (actor, user.IsInRole(Roles.Admin), options.Value.EveryTeamMembers.Contains(id, StringComparer.Ordinal));
    }

    public bool SeesAll => IsAdmin || EveryTeam;

    public bool CanSee(Case c) => SeesAll || (c.TeamId is { } team && Teams.TryGetValue(team, out var level) && c.Level <= level);
}
