using ClosedLoop.Feedback.Contracts.Routing;

namespace ClosedLoop.Rules.Tests;

/// <summary>
/// The Feedback module's registration with the rules engine, as the module makes it (the module owns the real
/// one; this copy is what the engine's tests and the default rule sets are checked against).
/// </summary>
internal static class FeedbackRules
{
    public const string Input = "feedback";

    public static void Describe(RuleInputBuilder<FeedbackFacts> rules) => rules
        .List("topics", feedsInput: (facts, topics) => facts with { Topics = [.. facts.Topics.Union(topics, StringComparer.OrdinalIgnoreCase)] })
        .List("tags")
        .Flag("openCase")
        .Flag("assign")
        .Choice("priority", "low", "normal", "high", "urgent")
        .Text("team", references: "team")
        .Integer("slaHours", 1, 8760)
        .Choice("escalationLevel", "frontline", "management", "executive")
        .Text("loop", references: "workflow")
        .Samples(
            Facts(2, "Delivery was two weeks late and nobody answered my emails.", region: "EMEA", accountValue: 120_000m),
            Facts(8, "Good product, a bit pricey.", region: "NA"),
            Facts(10, "Love it!", region: "APAC", accountValue: 500m),
            Facts(null, "", region: ""))
        .Fallback("openCase", true)
        .Fallback("priority", "normal")
        .Fallback("team", "triage")
        .Fallback("loop", "default")
        .Fallback("tags", new[] { "rules-fallback" });

    public static IRuleEngine<FeedbackFacts> Engine(
        RuleEngineOptions? options = null,
        IEnumerable<IRuleIncidentSink>? sinks = null,
        IEnumerable<IDecisionReferenceCheck>? checks = null,
        IRuleSetSource? source = null,
        Type[]? helpers = null,
        FeedbackFacts[]? samples = null) =>
        RulesServiceCollectionExtensions.CreateRulesEngine<FeedbackFacts>(
            Input,
            rules =>
            {
                Describe(rules);
                rules.Helpers(helpers ?? []);
                rules.Samples(samples ?? []);
            },
            // Generous unless a test is about time: CI machines are small and tests run in parallel.
            options ?? new RuleEngineOptions { EvaluationBudget = TimeSpan.FromSeconds(10), DryRunBudget = TimeSpan.FromSeconds(10) },
            sinks,
            checks,
            source);

    public static FeedbackFacts Facts(
        int? score,
        string comment = "",
        string region = "EMEA",
        string segment = "smb",
        decimal? accountValue = null,
        string sentiment = "neutral",
        double sentimentScore = 0,
        string channel = "email",
        IReadOnlyList<string>? topics = null,
        IReadOnlyDictionary<string, string>? attributes = null,
        int feedbackCount = 1,
        int? lastScore = null) =>
        new(
            score,
            score switch { null => "none", >= 9 => "promoter", >= 7 => "passive", _ => "detractor" },
            comment,
            channel,
            "web-survey",
            sentiment,
            sentimentScore,
            topics ?? [],
            new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero),
            attributes ?? new Dictionary<string, string>(),
            new CustomerFacts(region, segment, "en", accountValue, feedbackCount, lastScore));

    public static RuleSetDefinition Set(string json, int version = 1, int order = 100, string? name = null) =>
        new(name ?? NameOf(json), version, order, json);

    public static string NameOf(string json) =>
        System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("WorkflowName").GetString()!;
}
