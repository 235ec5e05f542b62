using ClosedLoop.Feedback.Contracts.Routing;
using ClosedLoop.Rules;
using ClosedLoop.Rules.Sentiment;
using Microsoft.Extensions.DependencyInjection;

namespace ClosedLoop.Bench.Rules;

/// <summary>
/// The rules engine as the Feedback module registers it (the public <c>AddRulesEngine</c> registration with the
/// module's decision properties, samples and default route). The module's own description is internal to it,
/// so this is a copy, as in ClosedLoop.Rules.Tests; only what rules may decide matters for the cost.
/// </summary>
internal static class FeedbackInput
{
    public const string Name = "feedback";

    /// <summary>A fresh container with a fresh engine: nothing compiled, nothing loaded.</summary>
    public static ServiceProvider Services()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddRulesEngine<FeedbackFacts>(Name, Describe);
        return services.BuildServiceProvider();
    }

    public static IRuleEngine<FeedbackFacts> Engine(ServiceProvider services) => services.GetRequiredService<IRuleEngine<FeedbackFacts>>();

    public static ISentimentAnalyzer Sentiment(ServiceProvider services) => services.GetRequiredService<ISentimentAnalyzer>();

    /// <summary>The topics rules decided, added to the input the later rule sets see (as the Feedback module does).</summary>
    public static FeedbackFacts Feed(FeedbackFacts facts, IReadOnlyList<string> topics) =>
        facts with { Topics = [.. facts.Topics.Union(topics, StringComparer.OrdinalIgnoreCase)] };

    private static void Describe(RuleInputBuilder<FeedbackFacts> rules) => rules
        .List("topics", feedsInput: Feed)
        .List("tags")
        .Flag("openCase")
        .Flag("assign")
        .Choice("priority", "low", "normal", "high", "urgent")
        .Text("team", references: "team")
        .Integer("slaHours", 1, 8760)
        .Choice("escalationLevel", "frontline", "management", "executive")
        .Text("loop", references: "workflow")
        .Samples(
            Sample(2, "Delivery was two weeks late and nobody answered my emails.", "EMEA", "enterprise", 120_000m),
            Sample(5, "The app keeps crashing when I try to pay my invoice.", "NA", "smb", 2_000m),
            Sample(8, "Good product, a bit pricey.", "NA", "midmarket", null),
            Sample(10, "Love it! Support was fantastic.", "APAC", "consumer", 500m),
            Sample(null, "Still waiting for my refund.", "LATAM", "", null),
            Sample(null, "", "", "", null))
        .Fallback("openCase", true)
        .Fallback("priority", "normal")
        .Fallback("team", "triage")
        .Fallback("slaHours", 48)
        .Fallback("escalationLevel", "frontline")
        .Fallback("loop", "default")
        .Fallback("tags", new[] { "rules-fallback" });

    private static FeedbackFacts Sample(int? score, string comment, string region, string segment, decimal? accountValue) => new(
        score,
        score switch { null => "none", >= 9 => "promoter", >= 7 => "passive", _ => "detractor" },
        comment,
        "email",
        "sample",
        "neutral",
        0,
        [],
        new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero),
        new Dictionary<string, string>(StringComparer.Ordinal),
        new CustomerFacts(region, segment, "en", accountValue, 1, null));
}
