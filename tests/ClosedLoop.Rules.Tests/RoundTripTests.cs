using System.Text.Json;
using System.Text.Json.Nodes;
using ClosedLoop.Rules.Validation;

namespace ClosedLoop.Rules.Tests;

/// <summary>
/// Rule sets are RulesEngine's own Workflow JSON: complex files written for the project (nested And/Or rules,
/// LocalParams, GlobalParams, actions, injection, disabled rules, annotations) validate, run, and survive a
/// parse and re-serialisation through RulesEngine's model without losing any member its schema defines.
/// </summary>
public sealed class RoundTripTests
{
    public static TheoryData<string> Files => new(Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Workflows"), "*.json").Select(Path.GetFileName)!);

    [Theory]
    [MemberData(nameof(Files))]
    public void Parses_and_re_serialises_without_loss(string file)
    {
        var original = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Workflows", file));
        var problems = new Problems();

        var workflow = WorkflowJson.Read(original, problems);

        Assert.NotNull(workflow);
        Assert.Empty(problems.Errors);
        var written = JsonNode.Parse(WorkflowJson.Write(workflow));
        AssertContains(JsonNode.Parse(original)!, written!, "$");
    }

    [Fact]
    public async Task Complex_files_validate_and_run_with_their_actions_and_injected_rules()
    {
        var engine = FeedbackRules.Engine();
        var shared = Load("shared-signals", order: 50);
        var escalations = Load("escalations", order: 150);
        await engine.ApplyAsync(new RuleSetCatalog("1", [shared]));

        var validation = await engine.ValidateAsync(escalations);
        Assert.True(validation.IsValid, string.Join("\n", validation.Errors));

        await engine.ApplyAsync(new RuleSetCatalog("2", [shared, escalations]));
        var routed = await engine.RouteAsync(FeedbackRules.Facts(
            1, "We are cancelling and moving to a competitor because the new pricing doubled our bill overnight, again.", accountValue: 300_000m));

        Assert.False(routed.Fallback, routed.FallbackReason);
        Assert.Equal("urgent", routed.Decision.Text("priority"));
        Assert.Equal("executive", routed.Decision.Text("escalationLevel"));
        Assert.Equal(["churn-risk", "key-account", "detailed"], routed.Decision.List("tags"));
        var trace = routed.RuleSets.Single(s => s.Name == "escalations");
        Assert.Equal(
            ["key-account-at-risk", "key-account-at-risk/is-key-account", "key-account-at-risk/has-a-reason", "key-account-at-risk/has-a-reason/long-comment",
             "key-account-at-risk/has-a-reason/pricing", "detractor-summary", "mentions-cancellation"],
            trace.Rules.Select(r => r.Path));
        Assert.Equal("600000", trace.Rules[0].ActionOutput);
        Assert.Null(trace.Rules.Single(r => r.Name == "detractor-summary").ActionError);
        Assert.Equal("shared-signals", trace.Rules.Single(r => r.Name == "mentions-cancellation").InjectedFrom);
        Assert.DoesNotContain(trace.Rules, r => r.Name is "retired" or "disabled-probe" or "legal-threat");
    }

    [Fact]
    public async Task The_stored_text_is_never_rewritten()
    {
        var engine = FeedbackRules.Engine();
        var set = Load("shared-signals", order: 50);
        await engine.ApplyAsync(new RuleSetCatalog("1", [set]));

        var routed = await engine.RouteAsync(FeedbackRules.Facts(3, "I am switching to a competitor."));

        Assert.Equal(["churn-risk"], routed.Decision.List("tags"));
        Assert.Equal(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Workflows", "shared-signals.json")), set.Json);
    }

    internal static RuleSetDefinition Load(string name, int order) =>
        new(name, 1, order, File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Workflows", $"{name}.json")));

    /// <summary>Every member of <paramref name="expected"/> is in <paramref name="actual"/> with the same value (defaults may be added).</summary>
    private static void AssertContains(JsonNode expected, JsonNode actual, string path)
    {
        switch (expected)
        {
            case JsonObject obj:
                var actualObject = Assert.IsType<JsonObject>(actual);
                foreach (var (key, value) in obj)
                {
                    Assert.True(actualObject.ContainsKey(key), $"{path}.{key} was lost");
                    AssertContains(value!, actualObject[key]!, $"{path}.{key}");
                }

                break;
            case JsonArray array:
                var actualArray = Assert.IsType<JsonArray>(actual);
                Assert.Equal(array.Count, actualArray.Count);
                for (var i = 0; i < array.Count; i++)
                {
                    AssertContains(array[i]!, actualArray[i]!, $"{path}[{i}]");
                }

                break;
            default:
                Assert.True(JsonNode.DeepEquals(expected, actual), $"{path}: {expected.ToJsonString()} became {actual.ToJsonString()}");
                break;
        }
    }
}
