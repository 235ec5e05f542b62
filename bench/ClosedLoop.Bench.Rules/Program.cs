using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace ClosedLoop.Bench.Rules;

/// <summary>
/// Routing cost per item against raw RulesEngine, in one run: cold in new processes, warm (BenchmarkDotNet, in
/// rounds), then cold again in the warm process. Ends with Markdown tables of medians and ratios (bench/README.md).
/// </summary>
public static class Program
{
    private const string Usage =
        "usage: ClosedLoop.Bench.Rules [--rounds N (5)] [--iterations N (10)] [--cold-runs N (7)] [--paired-rounds N (400)]\n" +
        "       ClosedLoop.Bench.Rules --paired-only ROUNDS\n" +
        "       ClosedLoop.Bench.Rules --profile raw|raw-unfed|route|many|retained|cold-raw|cold-ours SECONDS";

    private static readonly (string Method, string Label)[] Warm =
    [
        (nameof(RoutingBenchmarks.Raw), "raw `ExecuteAllRulesAsync`, the 3 sets in turn, later sets on the fed input"),
        (nameof(RoutingBenchmarks.RawUnfed), "raw, every set on the unfed input (for comparison)"),
        (nameof(RoutingBenchmarks.RouteAsync), "ours, `RouteAsync` per item"),
        (nameof(RoutingBenchmarks.RouteManyAsync), "ours, `RouteManyAsync`, chunks of 500"),
    ];

    public static async Task<int> Main(string[] args)
    {
        if (args is [ColdStart.ChildArgument, var which])
        {
            return await ColdStart.ChildAsync(which);
        }

        if (args is ["--profile", var what, var seconds])
        {
            return await Profile.RunAsync(what, int.Parse(seconds, CultureInfo.InvariantCulture));
        }

        if (args is ["--paired-only", var count])
        {
            var n = int.Parse(count, CultureInfo.InvariantCulture);
            Paired.Print(await Paired.RunAsync(n), n, Warm.ToDictionary(w => w.Method, w => w.Label));
            return RoutingBenchmarks.Fallbacks == 0 ? 0 : 1;
        }

        var rounds = Option(args, "--rounds", 5);
        var iterations = Option(args, "--iterations", 10);
        var coldRuns = Option(args, "--cold-runs", 7);
        var paired = Option(args, "--paired-rounds", 400);
        if (rounds < 1 || iterations < 3 || coldRuns < 1 || paired < 1)
        {
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }

        var coldNew = (Raw: new List<double>(), Ours: new List<double>());
        for (var i = 0; i < coldRuns; i++)
        {
            coldNew.Raw.Add(ColdStart.InNewProcess("raw"));
            coldNew.Ours.Add(ColdStart.InNewProcess("ours"));
            Console.WriteLine(FormattableString.Invariant($"cold, new process #{i + 1}: raw {coldNew.Raw[^1]:F1} ms, ours {coldNew.Ours[^1]:F1} ms"));
        }

        // The whole warm suite several times: on a shared machine the load drifts, and a ratio is only as good
        // as the two figures it divides, so each round's ratios are taken and their median reported.
        var summaries = new List<Summary>();
        for (var i = 0; i < rounds; i++)
        {
            summaries.Add(BenchmarkRunner.Run<RoutingBenchmarks>(Config(iterations)));
        }

        var interleaved = await Paired.RunAsync(paired);

        var coldWarm = (Raw: new List<double>(), Ours: new List<double>());
        for (var i = 0; i < coldRuns; i++)
        {
            coldWarm.Raw.Add(await ColdStart.RawAsync());
            coldWarm.Ours.Add(await ColdStart.OursAsync());
            Console.WriteLine(FormattableString.Invariant($"cold, warm process #{i + 1}: raw {coldWarm.Raw[^1]:F2} ms, ours {coldWarm.Ours[^1]:F2} ms"));
        }

        Print(summaries, coldNew, coldWarm);
        Paired.Print(interleaved, paired, Warm.ToDictionary(w => w.Method, w => w.Label));
        return RoutingBenchmarks.Fallbacks == 0 && summaries.All(s => s.Reports.All(r => r.Success)) ? 0 : 1;
    }

    /// <summary>
    /// Short and in-process (no generated project to build): 1 launch, 5 warm-up and <paramref name="iterations"/>
    /// measured iterations of about 200 ms per benchmark.
    /// </summary>
    private static IConfig Config(int iterations) => DefaultConfig.Instance
        .AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(5)
            .WithIterationCount(iterations)
            .WithIterationTime(TimeInterval.FromMilliseconds(200)))
        .AddDiagnoser(MemoryDiagnoser.Default)
        .AddColumn(StatisticColumn.Median)
        .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "closedloop-bench-rules"));

    private static void Print(List<Summary> summaries, (List<double> Raw, List<double> Ours) coldNew, (List<double> Raw, List<double> Ours) coldWarm)
    {
        // Per round: each benchmark's median (ns per item, BenchmarkDotNet divides by OperationsPerInvoke).
        var medians = summaries
            .Select(s => s.Reports.ToDictionary(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name, r => r.ResultStatistics?.Median ?? double.NaN))
            .ToList();
        var fastest = summaries
            .Select(s => s.Reports.ToDictionary(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name, r => r.ResultStatistics?.Min ?? double.NaN))
            .ToList();
        var last = summaries[^1].Reports.ToDictionary(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name);

        Console.WriteLine();
        Console.WriteLine(FormattableString.Invariant(
            $"Warm, per item ({RoutingBenchmarks.Items} generated inputs, the 3 default rule sets; {summaries.Count} rounds, medians; items that fell back while measured: {RoutingBenchmarks.Fallbacks})"));
        Console.WriteLine();
        Console.WriteLine("| what | median µs per item | ÷ raw (median of rounds) | ÷ raw per round | fastest iterations ÷ raw's | allocated B per item |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
        foreach (var (method, label) in Warm)
        {
            var ratios = medians.Select(m => m[method] / m[nameof(RoutingBenchmarks.Raw)]).ToList();
            var fastestRatio = Median(fastest.Select(m => m[method] / m[nameof(RoutingBenchmarks.Raw)]));
            var allocated = last[method].GcStats.GetBytesAllocatedPerOperation(last[method].BenchmarkCase);
            Console.WriteLine(FormattableString.Invariant(
                $"| {label} | {Median(medians.Select(m => m[method] / 1_000)):F1} | **{Median(ratios):F2}** | {string.Join(" / ", ratios.Select(r => r.ToString("F2", CultureInfo.InvariantCulture)))} | {fastestRatio:F2} | {allocated:N0} |"));
        }

        Console.WriteLine();
        Console.WriteLine(FormattableString.Invariant($"Cold, the first item routed by a fresh engine (medians of {coldNew.Raw.Count} runs each)"));
        Console.WriteLine();
        Console.WriteLine("| where | raw ms | ours ms | ours ÷ raw |");
        Console.WriteLine("| --- | --- | --- | --- |");
        Console.WriteLine(FormattableString.Invariant($"| new process | {Median(coldNew.Raw):F1} | {Median(coldNew.Ours):F1} | **{Median(coldNew.Ours) / Median(coldNew.Raw):F2}** |"));
        Console.WriteLine(FormattableString.Invariant($"| warm process | {Median(coldWarm.Raw):F2} | {Median(coldWarm.Ours):F2} | **{Median(coldWarm.Ours) / Median(coldWarm.Raw):F2}** |"));
    }

    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;
    }
}
