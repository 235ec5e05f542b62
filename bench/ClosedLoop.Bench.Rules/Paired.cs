using System.Diagnostics;
using System.Globalization;

namespace ClosedLoop.Bench.Rules;

/// <summary>
/// The warm benchmarks interleaved: round after round, each way routes the 500 inputs once, in an order that
/// rotates, right after a forced collection; each round's time of each way is divided by raw's time in the same
/// round, and the medians of those ratios are reported. BenchmarkDotNet runs one way for seconds before the
/// next, so a drift of the shared machine (raw alone measured from 8 to 15 µs per item from one round to the
/// next) lands in one way's figure and not the other's; here the two figures of a ratio are milliseconds apart.
/// </summary>
internal static class Paired
{
    public static async Task<IReadOnlyList<(string Method, double MedianMicroseconds, double MedianRatio, double Low, double High)>> RunAsync(int rounds)
    {
        var benchmarks = new RoutingBenchmarks();
        benchmarks.Setup();
        try
        {
            (string Method, Func<Task<int>> Run)[] ways =
            [
                (nameof(RoutingBenchmarks.Raw), benchmarks.Raw),
                (nameof(RoutingBenchmarks.RawUnfed), benchmarks.RawUnfed),
                (nameof(RoutingBenchmarks.RouteAsync), benchmarks.RouteAsync),
                (nameof(RoutingBenchmarks.RouteManyAsync), benchmarks.RouteManyAsync),
            ];
            for (var i = 0; i < 20; i++)
            {
                foreach (var (_, run) in ways)
                {
                    await run();
                }
            }

            var times = ways.Select(_ => new List<double>(rounds)).ToArray();
            for (var round = 0; round < rounds; round++)
            {
                for (var k = 0; k < ways.Length; k++)
                {
                    var w = (round + k) % ways.Length;
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                    var started = Stopwatch.GetTimestamp();
                    await ways[w].Run();
                    times[w].Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds / RoutingBenchmarks.Items);
                }
            }

            return [.. ways.Select((way, w) =>
            {
                var ratios = times[w].Select((t, round) => t / times[0][round]).Order().ToList();
                return (way.Method, Program.Median(times[w]), Program.Median(ratios), ratios[ratios.Count / 4], ratios[ratios.Count * 3 / 4]);
            })];
        }
        finally
        {
            benchmarks.Cleanup();
        }
    }

    public static void Print(IReadOnlyList<(string Method, double MedianMicroseconds, double MedianRatio, double Low, double High)> results, int rounds, IReadOnlyDictionary<string, string> labels)
    {
        Console.WriteLine();
        Console.WriteLine(FormattableString.Invariant($"Warm, interleaved ({rounds} rounds, each way once per round after a forced collection; medians; ratios per round)"));
        Console.WriteLine();
        Console.WriteLine("| what | median µs per item | ÷ raw in the same round (median) | middle half of the ratios |");
        Console.WriteLine("| --- | --- | --- | --- |");
        foreach (var (method, micros, ratio, low, high) in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {labels[method]} | {micros:F1} | **{ratio:F2}** | {low:F2} – {high:F2} |"));
        }
    }
}
