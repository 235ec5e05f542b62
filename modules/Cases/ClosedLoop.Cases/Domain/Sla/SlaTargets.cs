using System.Text.Json;
using ClosedLoop.Cases.Contracts;

namespace ClosedLoop.Cases.Domain.Sla;

/// <summary>Business time allowed for the first response and for the resolution.</summary>
internal sealed record SlaTargets(TimeSpan FirstResponse, TimeSpan Resolution)
{
    /// <summary>Module defaults by priority, used where neither the decision nor the team says otherwise.</summary>
    public static IReadOnlyDictionary<CasePriority, SlaTargets> Defaults { get; } = new Dictionary<CasePriority, SlaTargets>
    {
        [CasePriority.Urgent] = new(TimeSpan.FromHours(1), TimeSpan.FromHours(8)),
        [CasePriority.High] = new(TimeSpan.FromHours(4), TimeSpan.FromHours(24)),
        [CasePriority.Normal] = new(TimeSpan.FromHours(8), TimeSpan.FromHours(72)),
        [CasePriority.Low] = new(TimeSpan.FromHours(24), TimeSpan.FromHours(120)),
    };

    /// <summary>The decision's <c>slaHours</c> sets the resolution target; the team's targets, then the defaults, fill the rest.</summary>
    public static SlaTargets For(CasePriority priority, int? decisionSlaHours, IReadOnlyDictionary<string, TeamSla>? team)
    {
        var fallback = Defaults[priority];
        var own = team is not null && team.TryGetValue(Names.Of(priority), out var t) ? t : null;
        var firstResponse = own?.FirstResponseHours is { } f ? TimeSpan.FromHours(f) : fallback.FirstResponse;
        var resolution = decisionSlaHours is > 0 and var hours ? TimeSpan.FromHours(hours)
            : own?.ResolutionHours is { } r ? TimeSpan.FromHours(r)
            : fallback.Resolution;

        // A first response cannot be due after the resolution.
        return new SlaTargets(firstResponse < resolution ? firstResponse : resolution, resolution);
    }

    /// <summary>A team's stored targets, keyed by priority name (<c>urgent</c>, <c>high</c>, …).</summary>
    public static IReadOnlyDictionary<string, TeamSla>? ParseTeam(string? json) => json is null
        ? null
        : JsonSerializer.Deserialize<Dictionary<string, TeamSla>>(json, Names.Json);
}

/// <summary>A team's targets for one priority, in business hours; null falls back to the module default.</summary>
/// <param name="FirstResponseHours">Business hours until the first response (acknowledgement) is due.</param>
/// <param name="ResolutionHours">Business hours until resolution is due, unless the routing decision set <c>slaHours</c>.</param>
internal sealed record TeamSla(double? FirstResponseHours, double? ResolutionHours);
