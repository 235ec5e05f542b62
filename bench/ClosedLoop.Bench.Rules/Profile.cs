using System.Diagnostics;

namespace ClosedLoop.Bench.Rules;

/// <summary>
/// One way of routing in a loop and nothing else, for a profiler (<c>perf record</c> with
/// <c>DOTNET_PerfMapEnabled=1</c>) or a quick look: wall and process CPU time, bytes allocated and collections
/// per item.
/// </summary>
internal static class Profile
{
    public static async Task<int> RunAsync(string what, int seconds)
    {
        if (what is "cold-raw" or "cold-ours")
        {
            return await ColdAsync(what, seconds);
        }

        var benchmarks = new RoutingBenchmarks();
        benchmarks.Setup();
        if (what == "retained")
        {
            for (var i = 0; i < 5; i++)
            {
                Console.WriteLine(FormattableString.Invariant($"retained: {Retained(benchmarks) / (double)RoutingBenchmarks.Items:N0} B per routed item held after RouteManyAsync"));
            }

            return 0;
        }

        Func<Task<int>> run = what switch
        {
            "raw" => benchmarks.Raw,
            "raw-unfed" => benchmarks.RawUnfed,
            "route" => benchmarks.RouteAsync,
            "many" => benchmarks.RouteManyAsync,
            _ => throw new ArgumentException($"Unknown benchmark '{what}': raw, raw-unfed, route, many or retained.", nameof(what)),
        };
        for (var i = 0; i < 20; i++)
        {
            await run();
        }

        var (gen0, gen1, gen2, paused) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration());
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes(true);
        var started = Stopwatch.GetTimestamp();
        var rounds = 0;
        while (Stopwatch.GetElapsedTime(started).TotalSeconds < seconds)
        {
            await run();
            rounds++;
        }

        var items = rounds * (double)RoutingBenchmarks.Items;
        var wall = Stopwatch.GetElapsedTime(started).TotalMicroseconds / items;
        var cpuPerItem = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / items;
        var bytes = (GC.GetTotalAllocatedBytes(true) - allocated) / items;
        Console.WriteLine(FormattableString.Invariant(
            $"{what}: {items:N0} items, {wall:F1} µs per item (process CPU {cpuPerItem:F1} µs), {bytes:N0} B allocated per item; collections gen0/1/2 {GC.CollectionCount(0) - gen0}/{GC.CollectionCount(1) - gen1}/{GC.CollectionCount(2) - gen2}, paused {(GC.GetTotalPauseDuration() - paused).TotalMilliseconds:F0} ms"));
        benchmarks.Cleanup();
        return 0;
    }

    /// <summary>Bytes a batch's results keep alive once returned (what a chunk holds until it is written); not inlined, so nothing else of the caller's is counted.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static long Retained(RoutingBenchmarks benchmarks)
    {
        var before = GC.GetTotalMemory(true);
        var held = benchmarks.Hold().GetAwaiter().GetResult();
        var after = GC.GetTotalMemory(true);
        GC.KeepAlive(held);
        return after - before;
    }

    /// <summary>The cold start, again and again in this (warm) process: what loading a catalog costs once the code is jitted.</summary>
    private static async Task<int> ColdAsync(string what, int seconds)
    {
        var times = new List<double>();
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started).TotalSeconds < seconds)
        {
            times.Add(what == "cold-raw" ? await ColdStart.RawAsync() : await ColdStart.OursAsync());
        }

        times.Sort();
        Console.WriteLine(FormattableString.Invariant($"{what}: {times.Count} runs, median {times[times.Count / 2]:F2} ms"));
        return 0;
    }
}
