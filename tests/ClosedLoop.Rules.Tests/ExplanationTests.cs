using System.Text.Json;
using ClosedLoop.Feedback.Contracts.Routing;
using ClosedLoop.Rules.Sentiment;
using Microsoft.Extensions.DependencyInjection;

namespace ClosedLoop.Rules.Tests;

public sealed class ExplanationTests
{
    private const string Set = """
        { "WorkflowName": "explained", "Rules": [
          { "RuleName": "plan", "Expression": "feedback.Attributes[\"plan\"] == \"gold\"", "Properties": { "priority": "high" } },
          { "RuleName": "low", "Expression": "feedback.Score <= 6", "SuccessEvent": "Low score", "ErrorMessage": "Score was fine", "Properties": { "openCase": true } },
          { "RuleName": "disabled", "Enabled": false, "Expression": "true", "Properties": { "priority": "low" } }
        ] }
        """;

    [Fact]
    public async Task A_rule_that_throws_is_recorded_not_thrown()
    {
        var routed = await MergeTests.Route(FeedbackRules.Facts(3, "no attributes"), (Set, 10));

        var plan = routed.RuleSets[0].Rules[0];
        Assert.False(plan.Success);
        Assert.Contains("plan", plan.Error);
        Assert.True(routed.Decision.Flag("openCase"));
        Assert.Null(routed.Decision.Text("priority"));
    }

    [Fact]
    public async Task Each_rule_set_and_rule_is_named_with_its_version_result_and_message()
    {
        var engine = FeedbackRules.Engine();
        await engine.ApplyAsync(new RuleSetCatalog("7", [FeedbackRules.Set(Set, version: 4, order: 30)]));

        var routed = await engine.RouteAsync(FeedbackRules.Facts(9, "fine", attributes: new Dictionary<string, string> { ["plan"] = "gold" }));

        Assert.Equal("7", routed.CatalogStamp);
        var set = Assert.Single(routed.RuleSets);
        Assert.Equal(("explained", 4, 30, RuleSetOutcome.Evaluated), (set.Name, set.Version, set.Order, set.Outcome));
        Assert.Equal(["plan", "low"], set.Rules.Select(r => r.Name));
        Assert.Equal((false, "Score was fine"), (set.Rules[1].Success, set.Rules[1].Message));
        Assert.Equal([new DecisionContribution("priority", "high", ContributionStatus.Applied)], set.Rules[0].Contributions);
        Assert.True(routed.ElapsedMilliseconds > 0);
    }

    [Fact]
    public async Task The_result_serialises_to_plain_JSON_with_names_for_enums()
    {
        var routed = await MergeTests.Route(FeedbackRules.Facts(3, "x"), (Set, 10));

        var json = JsonSerializer.Serialize(routed, new JsonSerializerOptions(JsonSerializerDefaults.Web));

        Assert.Contains("\"outcome\":\"Evaluated\"", json);
        Assert.Contains("\"status\":\"Applied\"", json);
        Assert.Contains("\"values\":{\"openCase\":true}", json);
    }

    [Fact]
    public async Task Registers_through_dependency_injection_with_a_scoped_source()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddRulesEngine<FeedbackFacts>(FeedbackRules.Input, FeedbackRules.Describe);
        var store = new FakeSource(new RuleSetCatalog("1", [FeedbackRules.Set(Set)]));

        // The store's source is scoped (it uses a DbContext); the singleton engine must not capture it.
        services.AddScoped<IRuleSetSource>(_ => store);
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });

        var engine = provider.GetRequiredService<IRuleEngine<FeedbackFacts>>();
        var routed = await engine.RouteAsync(FeedbackRules.Facts(2, "x"));

        Assert.Equal("1", engine.Stamp);
        Assert.True(routed.Decision.Flag("openCase"));
        Assert.Equal("negative", provider.GetRequiredService<ISentimentAnalyzer>().Analyze("This was awful.").Label);
        Assert.Equal(["topics", "tags", "openCase", "assign", "priority", "team", "slaHours", "escalationLevel", "loop"], engine.Decisions.Select(d => d.Name));
    }

    [Fact]
    public void Rejects_an_invalid_registration_at_start_up()
    {
        Assert.Throws<InvalidOperationException>(() => RulesServiceCollectionExtensions.CreateRulesEngine<FeedbackFacts>("feedback", r => r.Flag("openCase").Fallback("openCase", "yes").Samples(FeedbackRules.Facts(1))));
        Assert.Throws<ArgumentException>(() => RulesServiceCollectionExtensions.CreateRulesEngine<FeedbackFacts>("Feed back", r => r.Samples(FeedbackRules.Facts(1))));
        Assert.Throws<InvalidOperationException>(() => RulesServiceCollectionExtensions.CreateRulesEngine<FeedbackFacts>("feedback", r => r.Flag("openCase")));
    }
}
