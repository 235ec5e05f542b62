using System.Diagnostics;

namespace ClosedLoop.Rules.Tests;

/// <summary>
/// Evaluation of one item is bounded in time: a runaway rule makes that item fall back to the documented
/// default route, raises a visible incident, and cannot stall ingest; a set that keeps running away is
/// suspended until it is replaced.
/// </summary>
[Collection(Runaways.Name)]
public sealed class FallbackTests
{
    private const string Topics = """
        { "WorkflowName": "topics", "Rules": [ { "RuleName": "billing", "Expression": "Text.ContainsWord(feedback.Comment, \"invoice\")", "Properties": { "topics": "billing" } } ] }
        """;

    private const string SlowRouting = """
        { "WorkflowName": "routing", "Rules": [
          { "RuleName": "quick", "Expression": "feedback.Score <= 6", "Properties": { "priority": "high" } },
          { "RuleName": "slow", "Expression": "Slow.Sleeps(feedback.Comment, 1500)", "Properties": { "team": "never" } }
        ] }
        """;

    private const string Teams = """
        { "WorkflowName": "teams", "Rules": [ { "RuleName": "all", "Expression": "true", "Properties": { "team": "cx-global" } } ] }
        """;

    /// <summary>
    /// What an admin might write to find two words together: harmless on the samples, quadratic in the number of
    /// words. A 10,000-character comment of 5,000 one-letter words takes about two seconds here, eight times the
    /// default budget (one of 1,667 six-letter words took only 200–290 ms: too close to the budget to test with).
    /// </summary>
    private const string RunawayPairs = """
        { "WorkflowName": "routing", "Rules": [
          { "RuleName": "money-back-anywhere",
            "LocalParams": [ { "Name": "words", "Expression": "feedback.Comment.Split(' ')" } ],
            "Expression": "words.SelectMany(a => words.Select(b => a + \" \" + b)).Any(p => Text.ContainsWord(p, \"money back\"))",
            "Properties": { "tags": "refund-demand" } }
        ] }
        """;

    [Fact]
    public async Task A_slow_rule_set_makes_the_item_fall_back_within_the_budget_with_an_incident()
    {
        var incidents = new IncidentLog();
        var engine = await Engine(incidents, budget: 200, (Topics, 100), (SlowRouting, 200), (Teams, 300));

        var started = Stopwatch.StartNew();
        var routed = await engine.RouteAsync(FeedbackRules.Facts(3, "sleep"));

        Assert.True(started.ElapsedMilliseconds >= 190, "waited for the budget");
        Assert.True(routed.Fallback);
        Assert.Contains("'routing' v1 did not finish within 200 ms", routed.FallbackReason);
        Assert.Equal(
            [("topics", RuleSetOutcome.Evaluated), ("routing", RuleSetOutcome.TimedOut), ("teams", RuleSetOutcome.Skipped)],
            routed.RuleSets.Select(s => (s.Name, s.Outcome)));
        Assert.Equal(engine.FallbackDecision.Values.Keys.Order(), routed.Decision.Values.Keys.Order());
        Assert.Equal((true, "normal", "triage", "default"), (routed.Decision.Flag("openCase"), routed.Decision.Text("priority"), routed.Decision.Text("team"), routed.Decision.Text("loop")));
        Assert.Equal(["rules-fallback"], routed.Decision.List("tags"));
        Assert.Equal(RuleIncidentKind.Timeout, Assert.Single(incidents.All).Kind);
    }

    [Fact]
    public async Task Lists_decided_before_the_time_out_are_kept_in_the_default_route()
    {
        var engine = await Engine(new IncidentLog(), budget: 200, (Topics, 100), (SlowRouting, 200));

        var routed = await engine.RouteAsync(FeedbackRules.Facts(3, "invoice, then sleep"));

        Assert.True(routed.Fallback);
        Assert.Equal(["billing"], routed.Decision.List("topics"));
        Assert.Equal(["rules-fallback"], routed.Decision.List("tags"));
        Assert.Equal(RuleSetOutcome.Evaluated, routed.RuleSets[0].Outcome);
    }

    [Fact]
    public async Task A_set_that_keeps_running_away_is_suspended_until_replaced()
    {
        var incidents = new IncidentLog();
        var engine = await Engine(incidents, budget: 500, (SlowRouting, 200));

        await engine.RouteAsync(FeedbackRules.Facts(3, "sleep"));
        await engine.RouteAsync(FeedbackRules.Facts(3, "sleep"));
        var suspended = await engine.RouteAsync(FeedbackRules.Facts(3, "quick one"));

        // Suspended, not timed out: the set was skipped before it ran, so the item did not wait for the budget.
        Assert.True(suspended.Fallback);
        Assert.Equal(RuleSetOutcome.Suspended, suspended.RuleSets[0].Outcome);
        Assert.Equal([RuleIncidentKind.Timeout, RuleIncidentKind.Timeout, RuleIncidentKind.Suspended], incidents.All.Select(i => i.Kind));

        await engine.ApplyAsync(new RuleSetCatalog("2", [FeedbackRules.Set(SlowRouting, version: 2, order: 200)]));
        var replaced = await engine.RouteAsync(FeedbackRules.Facts(3, "quick one"));
        Assert.False(replaced.Fallback);
        Assert.Equal("high", replaced.Decision.Text("priority"));
    }

    [Fact]
    public async Task A_realistic_runaway_passes_validation_on_small_samples_and_is_cut_off_on_a_long_comment()
    {
        var incidents = new IncidentLog();
        var engine = FeedbackRules.Engine(new RuleEngineOptions(), sinks: [incidents]);
        var validation = await engine.ValidateAsync(FeedbackRules.Set(RunawayPairs, order: 200));
        Assert.True(validation.IsValid, string.Join("\n", validation.Errors));
        await engine.ApplyAsync(new RuleSetCatalog("1", [FeedbackRules.Set(RunawayPairs, order: 200)]));
        var shortOne = await engine.RouteAsync(FeedbackRules.Facts(2, "I want my money back"));
        var longComment = string.Concat(Enumerable.Repeat("w ", 5_000));

        var started = Stopwatch.StartNew();
        var routed = await engine.RouteAsync(FeedbackRules.Facts(2, longComment));

        Assert.Equal(["refund-demand"], shortOne.Decision.List("tags"));
        Assert.True(routed.Fallback);
        Assert.True(started.ElapsedMilliseconds >= 240, "cut off at the budget, not before");
        Assert.Equal(RuleSetOutcome.TimedOut, routed.RuleSets[0].Outcome);
        Assert.Equal(RuleIncidentKind.Timeout, Assert.Single(incidents.All).Kind);
    }

    [Fact]
    public async Task Ingest_never_stalls_behind_a_flood_of_runaways()
    {
        var incidents = new IncidentLog();
        var engine = await Engine(incidents, budget: 100, (SlowRouting, 200));

        var started = Stopwatch.StartNew();
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => engine.RouteAsync(FeedbackRules.Facts(3, "sleep")).AsTask()));

        Assert.All(results, r => Assert.True(r.Fallback));
        Assert.True(started.ElapsedMilliseconds < 3_000, $"20 items took {started.ElapsedMilliseconds} ms; one runaway alone takes 1,500 ms");
        Assert.Contains(incidents.All, i => i.Kind == RuleIncidentKind.Suspended);
        Assert.Single(incidents.All, i => i.Kind == RuleIncidentKind.Suspended);
    }

    private static async Task<IRuleEngine<ClosedLoop.Feedback.Contracts.Routing.FeedbackFacts>> Engine(IncidentLog incidents, int budget, params (string Json, int Order)[] sets)
    {
        var engine = FeedbackRules.Engine(
            new RuleEngineOptions { EvaluationBudget = TimeSpan.FromMilliseconds(budget), MaxAbandonedPerRuleSet = 1 },
            sinks: [incidents],
            helpers: [typeof(Slow)]);
        await engine.ApplyAsync(new RuleSetCatalog("1", [.. sets.Select(s => FeedbackRules.Set(s.Json, order: s.Order))]));
        return engine;
    }
}
