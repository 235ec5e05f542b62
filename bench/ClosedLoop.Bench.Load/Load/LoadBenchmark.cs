using System.Net;
using System.Net.Http.Headers;
using ClosedLoop.Bench.Load.Data;
using ClosedLoop.Bench.Hosting;
using ClosedLoop.Bench.Load.Reporting;

namespace ClosedLoop.Bench.Load.Load;

/// <summary>
/// Per provider: one API process on a fresh database; each repetition drives <c>GET /alive</c> (the host's
/// floor: routing, Kestrel, the client) and then <c>POST /api/v1/feedback</c> with unique items, both with
/// the same driver, concurrency, warm-up and duration. Reports medians and POST as a fraction of /alive.
/// </summary>
internal sealed class LoadBenchmark(BenchOptions options, Report report) : IBenchmark
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        report.Line($"load: {options.Concurrency} workers, {options.Warmup.TotalSeconds:0} s warm-up + {options.Duration.TotalSeconds:0} s measured, rate limiting {(options.RateLimiting ? "on" : "off")}");
        report.Table("provider", "/alive req/s", "POST req/s", "POST ÷ /alive", "POST p50 ms", "POST p99 ms", "/alive p50 / p99 ms",
            "CPU ms per POST: API / DB / driver", "other work, cores", "failures");
        foreach (var provider in options.Providers)
        {
            await RunProviderAsync(provider, cancellationToken);
        }

        report.Flush();
    }

    private async Task RunProviderAsync(Provider provider, CancellationToken cancellationToken)
    {
        await using var databases = await BenchDatabase.StartAsync(provider, cancellationToken);
        report.Line($"[{provider}] {databases.Description}");
        var connectionString = await databases.CreateAsync("closedloop_load", cancellationToken);
        await using var api = await ApiProcess.StartAsync(options.Api, provider, connectionString, cancellationToken);
        using var http = BenchHttp.Create(api.BaseAddress, options.Concurrency, TimeSpan.FromSeconds(30));
        await CheckOneAsync(http, cancellationToken);

        var meters = CpuMeter.For(api.ProcessId, databases.ServerProcessId);
        var driver = new LoadDriver(http, options.Concurrency, options.Warmup, options.Duration, meters);
        var alive = new List<LoadResult>();
        var posts = new List<LoadResult>();
        for (var rep = 1; rep <= options.Repetitions; rep++)
        {
            alive.Add(await driver.RunAsync(_ => () => new HttpRequestMessage(HttpMethod.Get, "alive"), HttpStatusCode.OK, cancellationToken));
            var run = rep;
            posts.Add(await driver.RunAsync(worker => Posts(run, worker), HttpStatusCode.Created, cancellationToken));
            report.Line($"[{provider}] rep {rep}: /alive {Describe(alive[^1])}");
            report.Line($"[{provider}] rep {rep}: POST   {Describe(posts[^1])}");
        }

        var aliveRate = Stats.Median(alive.Select(r => r.RequestsPerSecond));
        var postRate = Stats.Median(posts.Select(r => r.RequestsPerSecond));
        report.Row(
            provider.ToString(),
            Report.Number(aliveRate),
            Report.Number(postRate),
            Report.Number(postRate / aliveRate, "N3"),
            Report.Number(Stats.Median(posts.Select(r => r.P50Ms)), "N1"),
            Report.Number(Stats.Median(posts.Select(r => r.P99Ms)), "N1"),
            $"{Report.Number(Stats.Median(alive.Select(r => r.P50Ms)), "N2")} / {Report.Number(Stats.Median(alive.Select(r => r.P99Ms)), "N2")}",
            string.Join(" / ", new[] { "api", "db", "driver" }.Select(m => Report.Number(Stats.Median(posts.Select(r => r.CpuMsPerRequest(m))), "N2"))),
            Report.Number(Stats.Median(posts.Select(OtherCores)), "N2"),
            Report.Number(posts.Sum(r => r.FailureCount) + alive.Sum(r => r.FailureCount)));
    }

    /// <summary>Unique items for one worker of one repetition: its own generator, its own externalId range.</summary>
    private static Func<HttpRequestMessage> Posts(int rep, int worker)
    {
        var faker = new FeedbackFaker(seed: (rep * 1_000) + worker, customerPool: 50_000, DateTimeOffset.UtcNow);
        var sequence = 0;
        return () =>
        {
            var item = faker.Next("bench-load", $"r{rep}-w{worker}-{++sequence}");
            var content = new ByteArrayContent(FeedbackJson.Serialize(item));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            return new HttpRequestMessage(HttpMethod.Post, "api/v1/feedback") { Content = content };
        };
    }

    private static async Task CheckOneAsync(HttpClient http, CancellationToken cancellationToken)
    {
        using var request = Posts(0, 0)();
        using var response = await http.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new BenchException($"POST /api/v1/feedback answered {(int)response.StatusCode}, not 201: {body}");
        }
    }

    /// <summary>Cores busy with anything but the API, the database and the driver: other work on a shared machine.</summary>
    private static double OtherCores(LoadResult result) =>
        Math.Max(0, result.Cores("machine") - result.Cores("api") - result.Cores("db") - result.Cores("driver"));

    private static string Describe(LoadResult result)
    {
        var failures = result.FailureCount == 0 ? "" : $", failures {string.Join(", ", result.Failures.Select(f => $"{f.Key}×{f.Value}"))}";
        var cpu = $"cores: api {Report.Number(result.Cores("api"), "N2")}, db {Report.Number(result.Cores("db"), "N2")}, driver {Report.Number(result.Cores("driver"), "N2")}, other {Report.Number(OtherCores(result), "N2")}";
        return $"{Report.Number(result.RequestsPerSecond)} req/s, p50 {Report.Number(result.P50Ms, "N2")} ms, p99 {Report.Number(result.P99Ms, "N2")} ms ({cpu}){failures}";
    }
}
