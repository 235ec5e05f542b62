using System.Diagnostics;
using System.Net;
using ClosedLoop.Bench.Hosting;
using ClosedLoop.Bench.Load.Reporting;

namespace ClosedLoop.Bench.Load.Load;

/// <summary>What one timed run saw: successful requests per second and their latency percentiles.</summary>
internal sealed record LoadResult(
    double RequestsPerSecond,
    double P50Ms,
    double P99Ms,
    long Succeeded,
    IReadOnlyDictionary<string, long> Failures,
    double Seconds,
    IReadOnlyDictionary<string, double> CpuSeconds)
{
    public long FailureCount => Failures.Values.Sum();

    /// <summary>CPU milliseconds a meter used per successful request (0 without that meter).</summary>
    public double CpuMsPerRequest(string meter) => CpuSeconds.GetValueOrDefault(meter) * 1000 / Math.Max(1, Succeeded);

    /// <summary>How many cores a meter kept busy on average.</summary>
    public double Cores(string meter) => CpuSeconds.GetValueOrDefault(meter) / Math.Max(Seconds, 1e-9);
}

/// <summary>
/// A closed-loop load generator: <c>concurrency</c> workers share one keep-alive client, each sending its
/// next request as soon as the previous one is answered, for a warm-up and then a measured period.
/// Only requests started inside the measured period count; throughput counts the expected status only.
/// CPU meters are read when the measured period starts and once every worker has finished.
/// </summary>
internal sealed class LoadDriver(HttpClient http, int concurrency, TimeSpan warmup, TimeSpan duration, IReadOnlyList<CpuMeter> meters)
{
    public async Task<LoadResult> RunAsync(Func<int, Func<HttpRequestMessage>> requestsForWorker, HttpStatusCode expected, CancellationToken cancellationToken)
    {
        var measureFrom = Stopwatch.GetTimestamp() + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var stopAt = measureFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var cpuAtStart = Task.Run(async () =>
        {
            await Task.Delay(warmup, cancellationToken);
            return meters.ToDictionary(m => m.Name, m => m.Read());
        }, cancellationToken);
        var workers = Enumerable.Range(0, concurrency)
            .Select(i => Task.Run(() => WorkAsync(requestsForWorker(i), expected, measureFrom, stopAt, cancellationToken), cancellationToken))
            .ToArray();
        var results = await Task.WhenAll(workers);
        var before = await cpuAtStart;
        var cpu = meters.ToDictionary(m => m.Name, m => m.Read() - before[m.Name]);
        var elapsed = Stopwatch.GetElapsedTime(measureFrom, results.Max(r => r.LastCompletion)).TotalSeconds;
        var latencies = results.SelectMany(r => r.LatenciesMs).Order().ToArray();
        var failures = results.SelectMany(r => r.Failures)
            .GroupBy(f => f.Key)
            .ToDictionary(g => g.Key, g => g.Sum(f => f.Value));
        return new LoadResult(
            latencies.Length / Math.Max(elapsed, 1e-9),
            Stats.Percentile(latencies, 50),
            Stats.Percentile(latencies, 99),
            latencies.Length,
            failures,
            elapsed,
            cpu);
    }

    private async Task<WorkerResult> WorkAsync(
        Func<HttpRequestMessage> next, HttpStatusCode expected, long measureFrom, long stopAt, CancellationToken cancellationToken)
    {
        var result = new WorkerResult();
        while (true)
        {
            var started = Stopwatch.GetTimestamp();
            if (started >= stopAt)
            {
                return result;
            }

            string? failure = null;
            try
            {
                using var request = next();
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
                failure = response.StatusCode == expected ? null : $"{(int)response.StatusCode}";
            }
            catch (HttpRequestException e)
            {
                failure = e.HttpRequestError.ToString();
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                failure = "timeout";
            }

            var completed = Stopwatch.GetTimestamp();
            if (started < measureFrom)
            {
                continue;
            }

            result.LastCompletion = completed;
            if (failure is null)
            {
                result.LatenciesMs.Add(Stopwatch.GetElapsedTime(started, completed).TotalMilliseconds);
            }
            else
            {
                result.Failures[failure] = result.Failures.GetValueOrDefault(failure) + 1;
            }
        }
    }

    private sealed class WorkerResult
    {
        public List<double> LatenciesMs { get; } = new(16_384);

        public Dictionary<string, long> Failures { get; } = [];

        public long LastCompletion { get; set; }
    }
}
