using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace ClosedLoop.Rules.Diagnostics;

/// <summary>Hands incidents to every registered sink and counts them; a failing sink never reaches the caller.</summary>
internal sealed class Incidents(IEnumerable<IRuleIncidentSink> sinks, TimeProvider time, ILogger<Incidents> logger)
{
    private static readonly Meter Meter = new(RulesTelemetry.MeterName);
    private static readonly Counter<long> Count = Meter.CreateCounter<long>("closedloop.rules.incidents", description: "Rule incidents (timeouts, suspensions, load failures).");
    private static readonly Counter<long> Fallbacks = Meter.CreateCounter<long>("closedloop.rules.fallbacks", description: "Items that got the default route.");
    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("closedloop.rules.evaluation.duration", "ms", "Time to route one item.");

    private readonly IRuleIncidentSink[] _sinks = [.. sinks];

    public DateTimeOffset Now => time.GetUtcNow();

    public void Report(RuleIncidentKind kind, string input, string? ruleSet, int? version, string message)
    {
        Count.Add(1, new KeyValuePair<string, object?>("kind", kind.ToString()), new KeyValuePair<string, object?>("input", input));
        var incident = new RuleIncident(kind, input, ruleSet, version, message, time.GetUtcNow());
        foreach (var sink in _sinks)
        {
            try
            {
                sink.Report(incident);
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Rule incident sink {Sink} failed", sink.GetType().Name);
            }
        }
    }

    public static void Routed(string input, double milliseconds, bool fallback)
    {
        Duration.Record(milliseconds, new KeyValuePair<string, object?>("input", input));
        if (fallback)
        {
            Fallbacks.Add(1, new KeyValuePair<string, object?>("input", input));
        }
    }
}

/// <summary>The sink that is always there: every incident becomes a warning in the log.</summary>
internal sealed partial class LoggingIncidentSink(ILogger<LoggingIncidentSink> logger) : IRuleIncidentSink
{
    public void Report(RuleIncident incident) =>
        Log(logger, incident.Kind, incident.InputName, incident.RuleSet, incident.Version, incident.Message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rule incident {Kind} ({Input} rule set {RuleSet} v{Version}): {Message}")]
    private static partial void Log(ILogger logger, RuleIncidentKind kind, string input, string? ruleSet, int? version, string message);
}
