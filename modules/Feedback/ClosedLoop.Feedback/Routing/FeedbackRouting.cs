using ClosedLoop.Feedback.Contracts.Routing;
using ClosedLoop.Feedback.Domain;
using ClosedLoop.Rules;

namespace ClosedLoop.Feedback.Routing;

/// <summary>
/// The Feedback module's input to the rules engine: rules see <see cref="FeedbackFacts"/> as <c>feedback</c> and
/// decide the properties below. The merge semantics are the engine's (rules/README.md): list properties
/// (<c>topics</c>, <c>tags</c>) collect every matching rule's values; every other property is set by the first
/// matching rule, in rule-set order and then rule order, that sets it.
/// </summary>
internal static class FeedbackRouting
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
            Sample(2, "Delivery was two weeks late and nobody answered my emails.", "EMEA", "enterprise", 120_000m),
            Sample(5, "The app keeps crashing when I try to pay my invoice.", "NA", "smb", 2_000m),
            Sample(8, "Good product, a bit pricey.", "NA", "midmarket", null),
            Sample(10, "Love it! Support was fantastic.", "APAC", "consumer", 500m),
            Sample(null, "Still waiting for my refund.", "LATAM", "", null),
            Sample(null, "", "", "", null))
        // The documented default route (rules/README.md): when the rules cannot decide in time or a published
        // set is broken, the item is still followed up, by people who look at everything.
        .Fallback("openCase", true)
        .Fallback("priority", "normal")
        .Fallback("team", "triage")
        .Fallback("slaHours", 48)
        .Fallback("escalationLevel", "frontline")
        .Fallback("loop", "default")
        .Fallback("tags", new[] { "rules-fallback" });

    private static FeedbackFacts Sample(int? score, string comment, string region, string segment, decimal? accountValue) => new(
        score,
        Nps.CategoryName(score),
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
