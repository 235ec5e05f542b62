using ClosedLoop.Feedback.Contracts.Routing;
using ClosedLoop.Rules.Evaluation;

namespace ClosedLoop.Rules.Tests;

/// <summary>One engine per process, refreshed by version stamp: compile once per version, swap atomically.</summary>
public sealed class RefreshTests
{
    private static RuleSetDefinition Routing(int version, string priority) => FeedbackRules.Set(
        $$"""{ "WorkflowName": "routing", "Rules": [ { "RuleName": "all", "Expression": "true", "Properties": { "priority": "{{priority}}" } } ] }""", version, 200);

    private static readonly RuleSetDefinition Topics = FeedbackRules.Set(
        """{ "WorkflowName": "topics", "Rules": [ { "RuleName": "t", "Expression": "true", "Properties": { "topics": "general" } } ] }""", 1, 100);

    [Fact]
    public async Task A_new_version_takes_effect_on_the_next_item_and_the_old_one_is_dropped()
    {
        var source = new FakeSource(new RuleSetCatalog("1", [Topics, Routing(1, "low")]));
        var engine = (RuleEngine<FeedbackFacts>)FeedbackRules.Engine(source: source);

        Assert.Equal("low", (await engine.RouteAsync(FeedbackRules.Facts(5))).Decision.Text("priority"));
        var before = engine.Current.Entries.ToDictionary(e => e.Name, e => e.Compiled);

        source.Publish(new RuleSetCatalog("2", [Topics, Routing(2, "urgent")]));
        Assert.True(await engine.RefreshAsync());
        var routed = await engine.RouteAsync(FeedbackRules.Facts(5));

        Assert.Equal("urgent", routed.Decision.Text("priority"));
        Assert.Equal([("topics", 1), ("routing", 2)], routed.RuleSets.Select(s => (s.Name, s.Version)));
        var after = engine.Current.Entries.ToDictionary(e => e.Name, e => e.Compiled);
        Assert.Same(before["topics"], after["topics"]);
        Assert.NotSame(before["routing"], after["routing"]);
        Assert.DoesNotContain(engine.Current.Entries, e => e.Compiled == before["routing"]);
    }

    [Fact]
    public async Task An_unchanged_stamp_costs_one_stamp_read()
    {
        var source = new FakeSource(new RuleSetCatalog("1", [Routing(1, "low")]));
        var engine = FeedbackRules.Engine(source: source);
        await engine.RefreshAsync();

        Assert.False(await engine.RefreshAsync());
        Assert.False(await engine.RefreshAsync());

        // The first refresh reads the stamp, sees a change and reads it again under the loading lock.
        Assert.Equal((4, 1), (source.StampReads, source.Loads));
    }

    [Fact]
    public async Task Concurrent_refreshes_share_stamp_reads_and_each_sees_what_was_published_before_it_began()
    {
        var source = new FakeSource(new RuleSetCatalog("1", [Routing(1, "low")]));
        var engine = FeedbackRules.Engine(source: source);
        await engine.RefreshAsync();
        var before = source.StampReads;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        source.SlowStamp = () => release.Task;

        // One refresh's stamp read is in flight (it read catalog 1); then 2 is published and ten more units of work begin.
        var first = engine.RefreshAsync().AsTask();
        source.Publish(new RuleSetCatalog("2", [Routing(2, "urgent")]));
        var later = Enumerable.Range(0, 10).Select(_ => engine.RefreshAsync().AsTask()).ToList();

        // The ten wait for one read that starts after the one in flight (which could not see 2); none reads alone.
        Assert.Equal(1, source.StampReads - before);
        source.SlowStamp = null;
        release.SetResult();

        Assert.False(await first);
        Assert.Equal(1, (await Task.WhenAll(later)).Count(loaded => loaded));
        Assert.Equal("urgent", (await engine.RouteAsync(FeedbackRules.Facts(5))).Decision.Text("priority"));
    }

    [Fact]
    public async Task A_slow_load_of_an_older_catalog_never_replaces_a_newer_one()
    {
        var source = new FakeSource(new RuleSetCatalog("1", [Routing(1, "low")]));
        var engine = FeedbackRules.Engine(source: source);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        source.Slow = () => release.Task;

        // The first refresher has read catalog 1 and is slow to hand it over; meanwhile 2 is published and a
        // second refresher sees it.
        var first = engine.RefreshAsync().AsTask();
        source.Publish(new RuleSetCatalog("2", [Routing(2, "urgent")]));
        source.Slow = null;
        var second = engine.RefreshAsync().AsTask();
        await Task.Delay(200);
        release.SetResult();
        await Task.WhenAll(first, second);

        Assert.Equal("2", engine.Stamp);
        Assert.Equal("urgent", (await engine.RouteAsync(FeedbackRules.Facts(5))).Decision.Text("priority"));
    }

    [Fact]
    public async Task A_rollback_is_just_another_publication()
    {
        var engine = FeedbackRules.Engine();
        await engine.ApplyAsync(new RuleSetCatalog("1", [Routing(1, "low")]));
        await engine.ApplyAsync(new RuleSetCatalog("2", [Routing(2, "high")]));

        await engine.ApplyAsync(new RuleSetCatalog("3", [Routing(1, "low")]));

        var routed = await engine.RouteAsync(FeedbackRules.Facts(5));
        Assert.Equal(("low", 1), (routed.Decision.Text("priority"), routed.RuleSets[0].Version));
    }

    [Fact]
    public async Task A_published_set_that_no_longer_compiles_makes_items_fall_back_with_an_incident()
    {
        var incidents = new IncidentLog();
        var engine = FeedbackRules.Engine(sinks: [incidents]);

        await engine.ApplyAsync(new RuleSetCatalog("1", [FeedbackRules.Set("""{ "WorkflowName": "routing", "Rules": [ { "RuleName": "a", "Expression": "feedback.Gone" } ] }""")]));
        var routed = await engine.RouteAsync(FeedbackRules.Facts(5));

        Assert.True(routed.Fallback);
        Assert.Equal(RuleSetOutcome.NotLoaded, routed.RuleSets[0].Outcome);
        Assert.Equal(RuleIncidentKind.LoadFailed, Assert.Single(incidents.All).Kind);
    }

    [Fact]
    public async Task A_dry_run_with_a_candidate_equals_live_routing_once_published()
    {
        var engine = FeedbackRules.Engine();
        var seeds = RuleSetSeeds.Read(Path.Combine(AppContext.BaseDirectory, "rules"));
        await engine.ApplyAsync(new RuleSetCatalog("1", seeds));
        var candidate = seeds.Single(s => s.Name == "routing") with { Version = 2, Json = seeds.Single(s => s.Name == "routing").Json.Replace("\"slaHours\": 24", "\"slaHours\": 12", StringComparison.Ordinal) };
        var item = FeedbackRules.Facts(2, "The invoice was wrong.", sentiment: "negative");

        var test = await engine.TestAsync(item, candidate);
        var before = await engine.RouteAsync(item);
        await engine.ApplyAsync(new RuleSetCatalog("2", [.. seeds.Where(s => s.Name != "routing"), candidate]));
        var live = await engine.RouteAsync(item);

        Assert.True(test.Validation!.IsValid);
        Assert.Equal(24, before.Decision.Integer("slaHours"));
        Assert.Equal(12, live.Decision.Integer("slaHours"));
        Assert.Equal(live.Decision.Values, test.Routing!.Decision.Values);
        Assert.Equal(
            live.RuleSets.Select(s => (s.Name, s.Version, s.Rules.Count)),
            test.Routing.RuleSets.Select(s => (s.Name, s.Version, s.Rules.Count)));
    }

    [Fact]
    public async Task A_dry_run_of_an_invalid_candidate_returns_its_problems()
    {
        var test = await FeedbackRules.Engine().TestAsync(FeedbackRules.Facts(2), FeedbackRules.Set(ValidationTests.Leaf("feedback.GetType() != null"), name: "r"));

        Assert.False(test.Validation!.IsValid);
        Assert.Null(test.Routing);
    }
}

/// <summary>A catalog swap never changes an item already being evaluated.</summary>
[Collection(Runaways.Name)]
public sealed class InFlightTests
{
    private static RuleSetDefinition Routing(int version, string priority) => FeedbackRules.Set(
        $$"""{ "WorkflowName": "routing", "Rules": [ { "RuleName": "all", "Expression": "true", "Properties": { "priority": "{{priority}}" } } ] }""", version, 200);

    [Fact]
    public async Task Items_in_flight_finish_on_the_catalog_they_started_with()
    {
        var engine = FeedbackRules.Engine(helpers: [typeof(Slow)]);
        await engine.ApplyAsync(new RuleSetCatalog("1", [FeedbackRules.Set(
            """{ "WorkflowName": "routing", "Rules": [ { "RuleName": "slow", "Expression": "Slow.Sleeps(feedback.Comment, 150)", "Properties": { "priority": "low" } } ] }""", 1, 200)]));

        var inFlight = engine.RouteAsync(FeedbackRules.Facts(5, "sleep")).AsTask();
        await Task.Delay(30);
        await engine.ApplyAsync(new RuleSetCatalog("2", [Routing(2, "urgent")]));

        Assert.Equal(("1", "low"), ((await inFlight).CatalogStamp, (await inFlight).Decision.Text("priority")));
        Assert.Equal("urgent", (await engine.RouteAsync(FeedbackRules.Facts(5))).Decision.Text("priority"));
    }
}

/// <summary>Collects incidents for assertions.</summary>
internal sealed class IncidentLog : IRuleIncidentSink
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<RuleIncident> _incidents = new();

    public IReadOnlyList<RuleIncident> All => [.. _incidents];

    public void Report(RuleIncident incident) => _incidents.Enqueue(incident);
}
