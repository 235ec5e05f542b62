using System.Text.Json.Serialization;

namespace ClosedLoop.Rules;

/// <summary>What went wrong while routing or loading rules.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RuleIncidentKind>))]
public enum RuleIncidentKind
{
    /// <summary>An item's evaluation ran past its time budget; the item got the default route.</summary>
    Timeout,

    /// <summary>Too many runaway evaluations of one rule set: it is suspended until a new version replaces it.</summary>
    Suspended,

    /// <summary>A published rule set could not be compiled; items get the default route while it is published.</summary>
    LoadFailed,

    /// <summary>The engine failed unexpectedly on an item; the item got the default route.</summary>
    Failed,
}

/// <summary>A visible incident: the host surfaces it (log, metric, admin view). Never thrown at the caller.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="InputName">The input the rule set belongs to (e.g. <c>feedback</c>).</param>
/// <param name="RuleSet">The rule set concerned, when one is known.</param>
/// <param name="Version">Its version, when known.</param>
/// <param name="Message">What happened, for a person.</param>
/// <param name="At">When (UTC).</param>
public sealed record RuleIncident(RuleIncidentKind Kind, string InputName, string? RuleSet, int? Version, string Message, DateTimeOffset At);

/// <summary>
/// Receives rule incidents. Register any number in DI; each is called synchronously on the routing path, so it
/// must be quick and must not throw (queue the work). A logging sink is always registered.
/// </summary>
public interface IRuleIncidentSink
{
    /// <summary>Records <paramref name="incident"/>.</summary>
    void Report(RuleIncident incident);
}

/// <summary>Names for wiring the engine into telemetry.</summary>
public static class RulesTelemetry
{
    /// <summary>
    /// The meter with <c>closedloop.rules.incidents</c>, <c>closedloop.rules.fallbacks</c> and
    /// <c>closedloop.rules.evaluation.duration</c> (ms); add it to OpenTelemetry's metrics.
    /// </summary>
    public const string MeterName = "ClosedLoop.Rules";
}
