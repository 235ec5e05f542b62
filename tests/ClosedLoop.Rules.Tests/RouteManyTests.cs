using System.Text.Json;
using ClosedLoop.Feedback.Contracts.Routing;

namespace ClosedLoop.Rules.Tests;

/// <summary>
/// Routing many items at once (the ingest path) decides exactly what routing each alone decides, in order; the
/// budget stays per item, so a runaway item in the middle of a batch costs only itself its decision.
/// </summary>
[Collection(Runaways.Name)]
public sealed class RouteManyTests
{
    private const string Topics = """
        { "WorkflowName": "topics", "Rules": [ { "RuleName": "billing", "Expression": "Text.ContainsWord(feedback.Comment, \"invoice\")", "Properties": { "topics": "billing" } } ] }
        """;

    /// <summary>Holds its worker while the comment says "hold", until the test opens the gate.</summary>
    private const string HeldRouting = """
        { "WorkflowName": "routing", "Rules": [
          { "RuleName": "detractor", "Expression": "feedback.Score <= 6", "Properties": { "priority": "high" } },
          { "RuleName": "held", "Expression": "Gate.Holds(feedback.Comment)", "Properties": { "team": "cx-global" } }
        ] }
        """;

    /// <summary>
    /// The held item times out whatever the budget (its gate stays shut until the test opens it), so the budget only has
    /// to outlast an ordinary item on a loaded CI machine: 200 ms once did not, and the batch's first item fell back.
    /// </summary>
    private const int LoadedMachineBudget = 2_000;

    private static readonly IReadOnlyList<RuleSetDefinition> Seeds = RuleSetSeeds.Read(Path.Combine(AppContext.BaseDirectory, "rules"));

    [Fact]
    public async Task Results_come_in_order_and_equal_routing_each_item_alone()
    {
        var engine = FeedbackRules.Engine();
        await engine.ApplyAsync(new RuleSetCatalog("seeds", Seeds));
        var inputs = Inputs(60);

        var many = await engine.RouteManyAsync(inputs);

        Assert.Equal(inputs.Count, many.Count);
        for (var i = 0; i < inputs.Count; i++)
        {
            var alone = await engine.RouteAsync(inputs[i]);
            Assert.Equal(Comparable(alone), Comparable(many[i]));
            Assert.False(many[i].Fallback);
            Assert.True(many[i].ElapsedMilliseconds > 0);
        }

        Assert.True(many.Select(r => r.Decision.Text("team")).Distinct().Count() > 3, "the inputs must route differently for order to be tested");
        Assert.Empty(await engine.RouteManyAsync([]));
    }

    [Fact]
    public async Task A_runaway_item_in_the_middle_falls_back_alone_and_the_next_batch_routes_normally()
    {
        var incidents = new IncidentLog();
        var engine = await HeldEngine(incidents, budget: LoadedMachineBudget);
        FeedbackFacts[] batch = [Facts(2, "first"), Facts(3, "an invoice"), Facts(4, "hold on"), Facts(5, "after the runaway"), Facts(9, "last")];

        using (Gate.Close())
        {
            var routed = await engine.RouteManyAsync(batch);

            // The runaway is still held on its abandoned worker: nothing waited for it.
            Assert.Equal(1, Gate.Held);
            Assert.Equal([false, false, true, false, false], routed.Select(r => r.Fallback));
            Assert.Equal(
                [("topics", RuleSetOutcome.Evaluated), ("routing", RuleSetOutcome.TimedOut)],
                routed[2].RuleSets.Select(s => (s.Name, s.Outcome)));
            Assert.Contains("'routing' v1 did not finish within 2,000 ms", routed[2].FallbackReason);
            Assert.Equal("triage", routed[2].Decision.Text("team"));
            Assert.Equal(["high", "high", "high", null], routed.Where(r => !r.Fallback).Select(r => r.Decision.Text("priority")));
            Assert.All(routed.Where(r => !r.Fallback), r => Assert.Equal("cx-global", r.Decision.Text("team")));
            Assert.Equal(["billing"], routed[1].Decision.List("topics"));
            var incident = Assert.Single(incidents.All);
            Assert.Equal((RuleIncidentKind.Timeout, "routing"), (incident.Kind, incident.RuleSet));

            var next = await engine.RouteManyAsync([Facts(1, "again"), Facts(10, "fine")]);

            Assert.Equal([false, false], next.Select(r => r.Fallback));
            Assert.Equal(["high", null], next.Select(r => r.Decision.Text("priority")));
            Assert.Equal(1, Gate.Held);
        }

        // Once the abandoned worker is free, it must have left the rest of its batch to the new one: one evaluation each.
        await Gate.DrainedAsync();
        var routing = ((ClosedLoop.Rules.Evaluation.RuleEngine<FeedbackFacts>)engine).Current.Entries[1].Compiled!;
        await Gate.Until(() => routing.Abandoned == 0);
        Assert.All(batch.Select(f => f.Comment).Concat(["again", "fine"]), comment => Assert.Equal(1, Gate.Calls(comment)));
        Assert.Single(incidents.All);
    }

    [Fact]
    public async Task Cancellation_stops_the_batch_and_the_next_one_routes_normally()
    {
        var engine = await HeldEngine(new IncidentLog(), budget: 10_000);
        using var cancel = new CancellationTokenSource();

        using (Gate.Close())
        {
            var routing = engine.RouteManyAsync([Facts(2, "first"), Facts(3, "hold it"), Facts(4, "never reached")], cancel.Token).AsTask();
            await Gate.HeldAsync();
            await cancel.CancelAsync();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => routing);
            Assert.Equal(1, Gate.Held);
            Assert.False((await engine.RouteAsync(Facts(5, "next"))).Fallback);
        }

        await Gate.DrainedAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await engine.RouteManyAsync([Facts(2, "x")], cancel.Token));
    }

    [Fact]
    public async Task Published_rules_run_on_the_callers_thread_pool_thread_but_never_while_a_runaway_holds_one()
    {
        // Half the cores may evaluate on the pool at once; with one core, everything runs on dedicated workers.
        var poolSlots = Environment.ProcessorCount / 2;
        var engine = await HeldEngine(new IncidentLog(), budget: LoadedMachineBudget);

        using (Gate.Close())
        {
            Assert.False((await engine.RouteAsync(Facts(5, "before"))).Fallback);
            Assert.Equal(poolSlots > 0, Gate.RanOnPool("before"));

            var runaway = await engine.RouteAsync(Facts(4, "hold on"));
            Assert.True(runaway.Fallback);
            Assert.Equal(1, Gate.Held);
            Assert.Equal(poolSlots > 0, Gate.RanOnPool("hold on"));

            // The runaway keeps its pool thread: until it ends, everything else runs on dedicated workers.
            var meanwhile = await engine.RouteManyAsync([Facts(5, "meanwhile"), Facts(6, "meanwhile too")]);
            Assert.All(meanwhile, r => Assert.False(r.Fallback));
            Assert.False(Gate.RanOnPool("meanwhile"));
            Assert.False(Gate.RanOnPool("meanwhile too"));
        }

        await Gate.DrainedAsync();
        var routing = ((ClosedLoop.Rules.Evaluation.RuleEngine<FeedbackFacts>)engine).Current.Entries[1].Compiled!;
        await Gate.Until(() => routing.Abandoned == 0);
        Assert.False((await engine.RouteAsync(Facts(5, "after"))).Fallback);
        Assert.Equal(poolSlots > 0, Gate.RanOnPool("after"));
    }

    private static async Task<IRuleEngine<FeedbackFacts>> HeldEngine(IncidentLog incidents, int budget)
    {
        var engine = FeedbackRules.Engine(
            new RuleEngineOptions { EvaluationBudget = TimeSpan.FromMilliseconds(budget), DryRunBudget = TimeSpan.FromSeconds(10) },
            sinks: [incidents],
            helpers: [typeof(Gate)]);
        await engine.ApplyAsync(new RuleSetCatalog("1", [FeedbackRules.Set(Topics, order: 100), FeedbackRules.Set(HeldRouting, order: 200)]));
        return engine;
    }

    private static FeedbackFacts Facts(int score, string comment) => FeedbackRules.Facts(score, comment);

    /// <summary>The result as JSON without its timing, which differs between two evaluations of the same item.</summary>
    private static string Comparable(RoutingResult result) => JsonSerializer.Serialize(result with { ElapsedMilliseconds = 0 });

    /// <summary>Realistic, varied inputs: every category, region, segment and account size, repeat customers.</summary>
    private static List<FeedbackFacts> Inputs(int count)
    {
        string[] comments =
        [
            "Delivery was two weeks late and the courier left the parcel in the rain.",
            "I was charged twice and support never called back.",
            "The app keeps crashing when I log in.",
            "Good product but the price went up again.",
            "Love it, fast delivery and great quality!",
            "Still waiting for my refund, this is unacceptable.",
            "",
            "Thanks!",
        ];
        string[] regions = ["EMEA", "NA", "APAC", "LATAM", "US", "uk", ""];
        string[] segments = ["smb", "enterprise", "consumer", "midmarket"];
        decimal?[] values = [null, 500m, 5_000m, 100_000m, 250_000m];
        return [.. Enumerable.Range(0, count).Select(i => FeedbackRules.Facts(
            i % 12 == 11 ? null : i % 11,
            comments[i % comments.Length],
            region: regions[i % regions.Length],
            segment: segments[i % segments.Length],
            accountValue: values[i % values.Length],
            sentiment: i % 3 == 0 ? "negative" : i % 3 == 1 ? "neutral" : "positive",
            feedbackCount: 1 + (i % 4),
            lastScore: i % 4 == 0 ? null : (i * 7) % 11))];
    }
}

/// <summary>
/// A helper registered only in tests: holds its worker while the text says "hold" and the gate is closed, so a
/// test knows, without timing anything, that a runaway is still running when the call under test returns.
/// </summary>
public static class Gate
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> Evaluated = new(StringComparer.Ordinal);
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> OnPool = new(StringComparer.Ordinal);
    private static ManualResetEventSlim _open = new(true);
    private static int _held;

    public static int Held => Volatile.Read(ref _held);

    public static bool Holds(string text)
    {
        Evaluated.AddOrUpdate(text, 1, (_, n) => n + 1);
        OnPool[text] = Thread.CurrentThread.IsThreadPoolThread;
        if (text.Contains("hold", StringComparison.Ordinal))
        {
            var gate = Volatile.Read(ref _open);
            Interlocked.Increment(ref _held);
            try
            {
                // Bounded, so a broken engine fails the test instead of hanging the run.
                gate.Wait(TimeSpan.FromSeconds(20));
            }
            finally
            {
                Interlocked.Decrement(ref _held);
            }
        }

        return true;
    }

    internal static IDisposable Close()
    {
        Evaluated.Clear();
        OnPool.Clear();
        var gate = new ManualResetEventSlim(false);
        Volatile.Write(ref _open, gate);
        return new Opener(gate);
    }

    /// <summary>How often the helper ran on <paramref name="text"/> since the gate was last closed.</summary>
    internal static int Calls(string text) => Evaluated.GetValueOrDefault(text);

    /// <summary>Whether the helper last ran on <paramref name="text"/> on a thread-pool thread (rather than a dedicated rules worker).</summary>
    internal static bool RanOnPool(string text) => OnPool.TryGetValue(text, out var onPool) ? onPool : throw new InvalidOperationException($"'{text}' was not evaluated.");

    internal static Task HeldAsync() => Until(() => Held > 0);

    internal static Task DrainedAsync() => Until(() => Held == 0);

    internal static async Task Until(Func<bool> condition)
    {
        for (var i = 0; i < 400 && !condition(); i++)
        {
            await Task.Delay(25);
        }

        Assert.True(condition(), "the condition did not come true within 10 s");
    }

    private sealed class Opener(ManualResetEventSlim gate) : IDisposable
    {
        public void Dispose() => gate.Set();
    }
}
