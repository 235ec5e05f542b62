using ClosedLoop.Feedback.Contracts.Routing;

namespace ClosedLoop.Rules.Tests;

/// <summary>The seeds in <c>rules/</c> validate and route realistic feedback exactly as rules/README.md documents.</summary>
public sealed class DefaultRuleSetTests
{
    private static readonly IReadOnlyList<RuleSetDefinition> Seeds = RuleSetSeeds.Read(Path.Combine(AppContext.BaseDirectory, "rules"));

    public static TheoryData<string> SeedNames => new(Seeds.Select(s => s.Name));

    public static TheoryData<Example> Examples => new(
    [
        new("late delivery, small account", Facts(2, "Delivery was two weeks late and the courier left the parcel in the rain.", sentiment: "negative"),
            Topics: ["delivery"], OpenCase: true, Priority: "high", Team: "cx-emea", SlaHours: 24, Level: "frontline", Loop: "detractor-recovery"),
        new("billing detractor, high-value enterprise", Facts(1, "I was charged twice and support never called back.", region: "NA", segment: "enterprise", accountValue: 250_000m, sentiment: "negative"),
            Topics: ["billing", "support-experience"], OpenCase: true, Priority: "urgent", Team: "billing-specialists", SlaHours: 4, Level: "management", Loop: "detractor-recovery",
            Tags: ["high-value", "enterprise"]),
        new("former promoter, app crashing", Facts(5, "The app keeps crashing when I log in.", region: "APAC", lastScore: 10, sentiment: "negative"),
            Topics: ["account-access", "reliability"], OpenCase: true, Priority: "high", Team: "cx-apac", SlaHours: 24, Level: "frontline", Loop: "detractor-recovery",
            Tags: ["at-risk"]),
        new("passive about price, positive tone", Facts(8, "Good product but the price went up again.", region: "LATAM", sentiment: "positive"),
            Topics: ["pricing"], OpenCase: true, Assign: false, Priority: "low", Team: "cx-latam", Level: "frontline", Loop: "passive-nurture"),
        new("unhappy passive", Facts(7, "Setup was confusing and the interface is clunky.", sentiment: "negative"),
            Topics: ["usability"], OpenCase: true, Assign: true, Priority: "normal", Team: "cx-emea", SlaHours: 72, Level: "frontline", Loop: "passive-nurture", Tags: ["unhappy-passive"]),
        new("promoter", Facts(10, "Love it, fast delivery and great quality!", region: "US", sentiment: "positive"),
            Topics: ["delivery", "product-quality"], OpenCase: true, Assign: false, Priority: "low", Team: "cx-north-america", Level: "frontline", Loop: "promoter-advocacy"),
        new("negative comment without a score", Facts(null, "Still waiting for my refund, this is unacceptable.", region: "", sentiment: "negative"),
            Topics: ["returns-refunds"], OpenCase: true, Priority: "normal", Team: "cx-global", SlaHours: 48, Level: "frontline", Loop: "detractor-recovery"),
        new("positive comment without a score", Facts(null, "Thanks!", region: "Mars", sentiment: "positive"),
            Team: "cx-global"),
        new("repeat enterprise detractor, no comment", Facts(4, "", segment: "enterprise", accountValue: 50_000m, lastScore: 3),
            OpenCase: true, Priority: "high", Team: "cx-emea", SlaHours: 24, Level: "management", Loop: "detractor-recovery", Tags: ["enterprise", "repeat-detractor"]),
        new("faulty item returned", Facts(6, "Returned the faulty blender, the refund took three weeks.", region: "uk", sentiment: "negative"),
            Topics: ["product-quality", "returns-refunds"], OpenCase: true, Priority: "high", Team: "cx-emea", SlaHours: 24, Level: "frontline", Loop: "detractor-recovery"),
        new("high value exactly at the threshold", Facts(3, "Nobody answered my emails.", accountValue: 100_000m),
            Topics: ["support-experience"], OpenCase: true, Priority: "urgent", Team: "cx-emea", SlaHours: 4, Level: "management", Loop: "detractor-recovery", Tags: ["high-value"]),
    ]);

    [Theory]
    [MemberData(nameof(SeedNames))]
    public async Task Every_seed_validates(string name)
    {
        var engine = FeedbackRules.Engine(checks: [new FakeReferences("workflow", "detractor-recovery", "passive-nurture", "promoter-advocacy"),
            new FakeReferences("team", "billing-specialists", "cx-emea", "cx-north-america", "cx-apac", "cx-latam", "cx-global")]);
        await engine.ApplyAsync(new RuleSetCatalog("seeds", Seeds.Where(s => s.Name != name).ToList()));

        var validation = await engine.ValidateAsync(Seeds.Single(s => s.Name == name));

        Assert.True(validation.IsValid, string.Join("\n", validation.Errors));
        Assert.Empty(validation.Warnings);
    }

    [Fact]
    public void The_seeds_run_topics_then_routing_then_teams()
    {
        Assert.Equal(["topics", "routing", "regional-teams"], Seeds.Select(s => s.Name));
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task Routes_realistic_feedback_as_documented(Example example)
    {
        var engine = FeedbackRules.Engine();
        await engine.ApplyAsync(new RuleSetCatalog("seeds", Seeds));

        var routed = await engine.RouteAsync(example.Facts);

        Assert.False(routed.Fallback, routed.FallbackReason);
        Assert.All(routed.RuleSets, s => Assert.Equal(RuleSetOutcome.Evaluated, s.Outcome));
        Assert.All(routed.RuleSets.SelectMany(s => s.Rules), r => Assert.Null(r.Error));
        var decision = routed.Decision;
        Assert.Equal(example.Topics ?? [], decision.List("topics"));
        Assert.Equal(example.Tags ?? [], decision.List("tags"));
        Assert.Equal(example.OpenCase, decision.Flag("openCase"));
        Assert.Equal(example.Assign, decision.Flag("assign"));
        Assert.Equal(example.Priority, decision.Text("priority"));
        Assert.Equal(example.Team, decision.Text("team"));
        Assert.Equal(example.SlaHours, decision.Integer("slaHours"));
        Assert.Equal(example.Level, decision.Text("escalationLevel"));
        Assert.Equal(example.Loop, decision.Text("loop"));
    }

    private static FeedbackFacts Facts(int? score, string comment, string region = "EMEA", string segment = "smb", decimal? accountValue = null, int? lastScore = null, string sentiment = "neutral") =>
        FeedbackRules.Facts(score, comment, region, segment, accountValue, sentiment, lastScore: lastScore);

    public sealed record Example(
        string Case,
        FeedbackFacts Facts,
        string[]? Topics = null,
        bool? OpenCase = null,
        bool? Assign = null,
        string? Priority = null,
        string? Team = null,
        int? SlaHours = null,
        string? Level = null,
        string? Loop = null,
        string[]? Tags = null)
    {
        public override string ToString() => Case;
    }
}

/// <summary>A reference check that knows a fixed list of names of one kind.</summary>
internal sealed class FakeReferences(string kind, params string[] known) : IDecisionReferenceCheck
{
    public string Kind => kind;

    public int Calls { get; private set; }

    public ValueTask<IReadOnlyCollection<string>> FindMissingAsync(IReadOnlyCollection<string> values, CancellationToken cancellationToken)
    {
        Calls++;
        return ValueTask.FromResult<IReadOnlyCollection<string>>([.. values.Where(v => !known.Contains(v))]);
    }
}
