namespace ClosedLoop.Rules.Tests;

/// <summary>How several sets and rules combine: documented in rules/README.md and shown in the explanation.</summary>
public sealed class MergeTests
{
    private const string First = """
        { "WorkflowName": "first", "Rules": [
          { "RuleName": "billing", "Expression": "Text.ContainsWord(feedback.Comment, \"invoice\")", "Properties": { "topics": [ "billing", "Billing" ], "tags": "money" } },
          { "RuleName": "pricing", "Expression": "Text.ContainsWord(feedback.Comment, \"expensive\")", "Properties": { "topics": [ "pricing", "billing" ] } },
          { "RuleName": "high", "Expression": "feedback.Score <= 6", "Properties": { "priority": "high", "team": "first-team" } }
        ] }
        """;

    private const string Second = """
        { "WorkflowName": "second", "Rules": [
          { "RuleName": "sees-topics", "Expression": "feedback.Topics.Contains(\"billing\")", "Properties": { "team": "billing-team", "priority": "urgent", "tags": [ "seen", "MONEY" ] } },
          { "RuleName": "low", "Expression": "true", "Properties": { "priority": "low", "slaHours": 12, "tags": "Money" } }
        ] }
        """;

    [Fact]
    public async Task Lists_collect_every_value_once_in_order_and_first_wins_keeps_the_earliest()
    {
        var routed = await Route(FeedbackRules.Facts(3, "Expensive, and the invoice was wrong"), (First, 10), (Second, 20));

        Assert.Equal(["billing", "pricing"], routed.Decision.List("topics"));
        Assert.Equal(["money", "seen"], routed.Decision.List("tags"));
        Assert.Equal("high", routed.Decision.Text("priority"));
        Assert.Equal("first-team", routed.Decision.Text("team"));
        Assert.Equal(12, routed.Decision.Integer("slaHours"));
    }

    [Fact]
    public async Task The_explanation_shows_what_was_applied_overridden_or_duplicate()
    {
        var routed = await Route(FeedbackRules.Facts(3, "Expensive, and the invoice was wrong"), (First, 10), (Second, 20));

        var second = routed.RuleSets[1];
        var seesTopics = second.Rules[0].Contributions;
        Assert.Equal(
            [("team", ContributionStatus.Overridden, "first:high"), ("priority", ContributionStatus.Overridden, "first:high"), ("tags", ContributionStatus.Applied, null)],
            seesTopics.Select(c => (c.Property, c.Status, c.By)));
        Assert.Equal(
            [("priority", ContributionStatus.Overridden, "first:high"), ("slaHours", ContributionStatus.Applied, null), ("tags", ContributionStatus.Duplicate, null)],
            second.Rules[1].Contributions.Select(c => (c.Property, c.Status, c.By)));
        Assert.Equal(["first", "second"], routed.RuleSets.Select(s => s.Name));
        Assert.Equal([1, 1], routed.RuleSets.Select(s => s.Version));
    }

    [Fact]
    public async Task Lists_decided_by_earlier_sets_are_fed_to_later_ones()
    {
        var routed = await Route(FeedbackRules.Facts(9, "Please resend the invoice"), (Second, 20), (First, 10));

        Assert.Equal(["first", "second"], routed.RuleSets.Select(s => s.Name));
        Assert.True(routed.RuleSets[1].Rules[0].Matched);
        Assert.Equal("billing-team", routed.Decision.Text("team"));
        Assert.Equal("urgent", routed.Decision.Text("priority"));
    }

    [Fact]
    public async Task Sets_with_the_same_order_run_by_name()
    {
        var routed = await Route(FeedbackRules.Facts(3, "invoice"), (Second, 10), (First, 10));

        Assert.Equal(["first", "second"], routed.RuleSets.Select(s => s.Name));
    }

    [Fact]
    public async Task Nested_rules_contribute_only_when_every_rule_above_them_holds()
    {
        var set = """
            { "WorkflowName": "nested", "Rules": [
              { "RuleName": "detractor", "Operator": "And", "Properties": { "priority": "high" }, "Rules": [
                  { "RuleName": "low-score", "Expression": "feedback.Score <= 6", "Properties": { "tags": "low-score", "priority": "urgent" } },
                  { "RuleName": "has-comment", "Expression": "feedback.Comment != \"\"", "Properties": { "tags": "commented" } }
              ] },
              { "RuleName": "any-of", "Operator": "Or", "Rules": [
                  { "RuleName": "never", "Expression": "false", "Properties": { "tags": "never" } },
                  { "RuleName": "always", "Expression": "true", "Properties": { "tags": "always" } }
              ] }
            ] }
            """;

        var noComment = await Route(FeedbackRules.Facts(2, ""), (set, 10));
        var withComment = await Route(FeedbackRules.Facts(2, "bad"), (set, 10));

        Assert.Null(noComment.Decision.Text("priority"));
        Assert.Equal(["always"], noComment.Decision.List("tags"));
        var lowScore = noComment.RuleSets[0].Rules.Single(r => r.Path == "detractor/low-score");
        Assert.True(lowScore.Success);
        Assert.False(lowScore.Matched);
        Assert.Empty(lowScore.Contributions);

        Assert.Equal("high", withComment.Decision.Text("priority"));
        Assert.Equal(["low-score", "commented", "always"], withComment.Decision.List("tags"));
        Assert.Equal(ContributionStatus.Overridden, withComment.RuleSets[0].Rules.Single(r => r.Path == "detractor/low-score").Contributions.Single(c => c.Property == "priority").Status);
    }

    [Fact]
    public async Task Items_that_come_out_alike_share_their_explanation_and_each_keeps_what_is_its_own()
    {
        var erring = """
            { "WorkflowName": "erring", "Rules": [
              { "RuleName": "divides", "Expression": "100 / (feedback.Score - 5) > 1", "Properties": { "tags": "divided" } },
              { "RuleName": "low", "Expression": "feedback.Score <= 6", "Properties": { "priority": "normal", "team": "low-team" } }
            ] }
            """;
        var engine = FeedbackRules.Engine();
        await engine.ApplyAsync(new RuleSetCatalog("1", [FeedbackRules.Set(First, order: 10), FeedbackRules.Set(Second, order: 20), FeedbackRules.Set(erring, order: 30)]));

        var routed = await engine.RouteManyAsync(
        [
            FeedbackRules.Facts(3, "the invoice again"),
            FeedbackRules.Facts(2, "that invoice!"),
            FeedbackRules.Facts(9, "the invoice again"),
            FeedbackRules.Facts(5, "the invoice again"),
        ]);

        // The first two come out alike in every set: the same trace objects, and the same values in them.
        Assert.All(routed, r => Assert.False(r.Fallback, r.FallbackReason));
        Assert.Same(routed[0].RuleSets[0], routed[1].RuleSets[0]);
        Assert.Same(routed[0].RuleSets[1], routed[1].RuleSets[1]);
        Assert.Equal(("first:high", "first:high"), (
            routed[0].RuleSets[1].Rules[0].Contributions.Single(c => c.Property == "team").By,
            routed[1].RuleSets[1].Rules[0].Contributions.Single(c => c.Property == "team").By));

        // A promoter matches differently, so its traces are its own, and say so.
        Assert.NotSame(routed[0].RuleSets[0], routed[2].RuleSets[0]);
        Assert.False(routed[2].RuleSets[0].Rules.Single(r => r.Name == "high").Matched);
        Assert.Equal(ContributionStatus.Applied, routed[2].RuleSets[1].Rules[0].Contributions.Single(c => c.Property == "team").Status);
        Assert.Equal("billing-team", routed[2].Decision.Text("team"));

        // An error is the item's own: a score of 5 divides by zero, and only that item's trace says so.
        var divides = routed[3].RuleSets[2].Rules.Single(r => r.Name == "divides");
        Assert.NotNull(divides.Error);
        Assert.Null(routed[0].RuleSets[2].Rules.Single(r => r.Name == "divides").Error);
        Assert.NotSame(routed[0].RuleSets[2], routed[3].RuleSets[2]);
        Assert.Equal("first-team", routed[3].Decision.Text("team"));
    }

    internal static async Task<RoutingResult> Route(ClosedLoop.Feedback.Contracts.Routing.FeedbackFacts facts, params (string Json, int Order)[] sets)
    {
        var engine = FeedbackRules.Engine();
        await engine.ApplyAsync(new RuleSetCatalog("1", [.. sets.Select(s => FeedbackRules.Set(s.Json, order: s.Order))]));
        var routed = await engine.RouteAsync(facts);
        Assert.False(routed.Fallback, routed.FallbackReason);
        return routed;
    }
}
