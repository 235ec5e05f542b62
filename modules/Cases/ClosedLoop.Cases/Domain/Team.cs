using ClosedLoop.Cases.Contracts;

namespace ClosedLoop.Cases.Domain;

/// <summary>A team that works cases: its members, where and when it works, and its SLA targets by priority.</summary>
internal sealed class Team
{
    public const int MaxMembers = 500;

    public Guid Id { get; set; }

    /// <summary>The name routing rules use (<c>team</c> decision), e.g. <c>cx-emea</c>; unique, lower case (see <see cref="KeyOf"/>).</summary>
    public required string Key { get; set; }

    public required string Name { get; set; }

    /// <summary>IANA time zone id its business hours and holidays are in.</summary>
    public required string TimeZone { get; set; }

    /// <summary>Opening hours as JSON (a list of day/open/close); empty list = round the clock.</summary>
    public string BusinessHours { get; set; } = "[]";

    /// <summary>Local dates the team is closed, as JSON.</summary>
    public string Holidays { get; set; } = "[]";

    /// <summary>SLA targets by priority as JSON; missing priorities use the module's defaults.</summary>
    public string? SlaTargets { get; set; }

    public List<TeamMember> Members { get; set; } = [];

    /// <summary>A key as a rule, a filter or a reference names it, in the form it is stored in; null for blank.</summary>
    public static string? KeyOf(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim().ToLowerInvariant();

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public int Version { get; set; }
}

/// <summary>Someone who works a team's cases, up to their level.</summary>
internal sealed class TeamMember
{
    public Guid TeamId { get; set; }

    /// <summary>The caller id: an API key's id or a JWT subject.</summary>
    public required string UserId { get; set; }

    public required string Name { get; set; }

    public string? Email { get; set; }

    public EscalationLevel Level { get; set; }

    /// <summary>False while on leave: not picked by automatic assignment, still sees the team's cases.</summary>
    public bool Available { get; set; } = true;
}
