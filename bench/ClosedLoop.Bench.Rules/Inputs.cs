using ClosedLoop.Feedback.Contracts.Routing;
using ClosedLoop.Rules;
using ClosedLoop.Rules.Sentiment;

namespace ClosedLoop.Bench.Rules;

/// <summary>
/// Realistic inputs, generated once (seed 42): an NPS-shaped score distribution, 12 % comment-only and 25 %
/// score-only items, comments that hit and miss the topic rules (with the sentiment the ingest would compute),
/// regions the regional rules know and do not, segments, account values around the high-value threshold, repeat
/// customers with a previous score, attributes.
/// </summary>
internal static class Inputs
{
    private static readonly string[] Comments =
    [
        "Delivery was two weeks late and the courier left the parcel in the rain.",
        "I was charged twice on my invoice and support never called back.",
        "The app keeps crashing when I log in.",
        "Good product but the price went up again.",
        "Love it, fast delivery and great quality!",
        "Still waiting for my refund, this is unacceptable.",
        "Setup was confusing and the interface is clunky.",
        "Returned the faulty blender, the refund took three weeks.",
        "Nobody answered my emails for ten days.",
        "Great service, the agent solved my problem in minutes.",
        "Thanks!",
        "Le produit est arrivé cassé, très déçu.",
        "Password reset never arrives, I am locked out of my account.",
        "Cheaper than the competition and it just works.",
        "The subscription renewed without any warning, I want my money back.",
        "Shipping cost more than the item itself.",
        "Pretty good overall, a few bugs in the mobile app.",
        "注文した商品がまだ届きません。",
        "Support was friendly but slow; it took a week to get an answer about my bill.",
        "Perfect.",
    ];

    private static readonly string[] Regions = ["EMEA", "EMEA", "NA", "NA", "US", "APAC", "LATAM", "uk", "DE", ""];
    private static readonly string[] Segments = ["smb", "smb", "consumer", "consumer", "enterprise", "midmarket", ""];
    private static readonly string[] Channels = ["email", "web", "in-app", "sms", "support"];
    private static readonly string[] Products = ["shop", "app", "subscription", "marketplace"];

    public static FeedbackFacts[] Generate(int count, ISentimentAnalyzer sentiment)
    {
        var random = new Random(42);
        var start = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        var items = new FeedbackFacts[count];
        for (var i = 0; i < count; i++)
        {
            var kind = random.NextDouble();
            int? score = kind < 0.12 ? null : Score(random);
            var comment = kind >= 0.12 && kind < 0.37 ? "" : Comments[random.Next(Comments.Length)];
            var mood = sentiment.Analyze(comment);
            var repeat = random.NextDouble() < 0.3;
            decimal? accountValue = random.Next(5) switch
            {
                0 => null,
                1 => random.Next(100, 5_000),
                2 => random.Next(5_000, 99_000),
                3 => random.Next(99_000, 101_000),
                _ => random.Next(101_000, 500_000),
            };
            items[i] = new FeedbackFacts(
                score,
                score switch { null => "none", >= 9 => "promoter", >= 7 => "passive", _ => "detractor" },
                comment,
                Channels[random.Next(Channels.Length)],
                "web-survey",
                mood.Label,
                mood.Score,
                [],
                start.AddMinutes(i * 7),
                new Dictionary<string, string>(StringComparer.Ordinal) { ["product"] = Products[random.Next(Products.Length)], ["orderId"] = $"A-{random.Next(100_000)}" },
                new CustomerFacts(
                    Regions[random.Next(Regions.Length)],
                    Segments[random.Next(Segments.Length)],
                    random.Next(4) == 0 ? "de" : "en",
                    accountValue,
                    repeat ? random.Next(2, 12) : 1,
                    repeat ? random.Next(11) : null));
        }

        return items;
    }

    /// <summary>The default rule sets, as the API seeds them.</summary>
    public static IReadOnlyList<RuleSetDefinition> RuleSets() => RuleSetSeeds.Read(Path.Combine(AppContext.BaseDirectory, "rules"));

    /// <summary>NPS-shaped: about half promoters, a quarter passives, a quarter detractors.</summary>
    private static int Score(Random random) => random.NextDouble() switch
    {
        < 0.50 => random.Next(9, 11),
        < 0.75 => random.Next(7, 9),
        _ => random.Next(0, 7),
    };
}
