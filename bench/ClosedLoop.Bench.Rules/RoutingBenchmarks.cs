using BenchmarkDotNet.Attributes;
using ClosedLoop.Feedback.Contracts.Routing;
using ClosedLoop.Rules;
using Microsoft.Extensions.DependencyInjection;

namespace ClosedLoop.Bench.Rules;

/// <summary>
/// Warm routing cost per item, the three ways measured in the same run on the same inputs and rule sets. Every
/// benchmark routes all <see cref="Items"/> inputs once per invocation, so BenchmarkDotNet's figures are per item.
/// </summary>
public class RoutingBenchmarks
{
    /// <summary>Inputs per invocation; also the ingest's chunk for <see cref="RouteManyAsync"/>.</summary>
    public const int Items = 500;

    private ServiceProvider? _services;
    private IRuleEngine<FeedbackFacts> _engine = null!;
    private RawEngine _raw = null!;
    private FeedbackFacts[] _inputs = [];
    private FeedbackFacts[] _fed = [];

    /// <summary>Items that got the default route while measuring: any would make the figures meaningless.</summary>
    public static int Fallbacks;

    [GlobalSetup]
    public void Setup()
    {
        _services = FeedbackInput.Services();
        _engine = FeedbackInput.Engine(_services);
        _inputs = Inputs.Generate(Items, FeedbackInput.Sentiment(_services));
        var ruleSets = Inputs.RuleSets();
        _engine.ApplyAsync(new RuleSetCatalog("bench", ruleSets)).AsTask().GetAwaiter().GetResult();
        _raw = new RawEngine(ruleSets);
        _fed = [.. _inputs.Select(i => _raw.FedAsync(i).AsTask().GetAwaiter().GetResult())];
    }

    [GlobalCleanup]
    public void Cleanup() => _services?.Dispose();

    /// <summary>
    /// The baseline: RulesEngine on the same inputs our routing evaluates, the topic set on the item as it came,
    /// the later sets on the item with the topics the topic set added (worked out beforehand, off the clock).
    /// </summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Items, Description = "raw ExecuteAllRulesAsync")]
    public async Task<int> Raw()
    {
        var results = 0;
        for (var i = 0; i < _inputs.Length; i++)
        {
            results += await _raw.ExecuteAsync(_inputs[i], _fed[i]);
        }

        return results;
    }

    /// <summary>For comparison: every set on the item as it came, so the later sets' topic rules see no topics.</summary>
    [Benchmark(OperationsPerInvoke = Items, Description = "raw ExecuteAllRulesAsync, unfed")]
    public async Task<int> RawUnfed()
    {
        var results = 0;
        foreach (var input in _inputs)
        {
            results += await _raw.ExecuteAsync(input);
        }

        return results;
    }

    [Benchmark(OperationsPerInvoke = Items, Description = "RouteAsync per item")]
    public async Task<int> RouteAsync()
    {
        var fallbacks = 0;
        foreach (var input in _inputs)
        {
            fallbacks += (await _engine.RouteAsync(input)).Fallback ? 1 : 0;
        }

        return Count(fallbacks);
    }

    [Benchmark(OperationsPerInvoke = Items, Description = "RouteManyAsync, chunks of 500")]
    public async Task<int> RouteManyAsync()
    {
        var fallbacks = 0;
        foreach (var chunk in _inputs.Chunk(Items))
        {
            foreach (var result in await _engine.RouteManyAsync(chunk))
            {
                fallbacks += result.Fallback ? 1 : 0;
            }
        }

        return Count(fallbacks);
    }

    /// <summary>Routes every input in one batch and returns the results (for <c>--profile retained</c>).</summary>
    public async Task<object> Hold() => await _engine.RouteManyAsync(_inputs);

    private static int Count(int fallbacks)
    {
        if (fallbacks > 0)
        {
            Interlocked.Add(ref Fallbacks, fallbacks);
        }

        return fallbacks;
    }
}
