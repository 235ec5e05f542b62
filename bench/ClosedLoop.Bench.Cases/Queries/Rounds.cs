using System.Diagnostics;
using System.Globalization;
using ClosedLoop.Bench.Cases.Plans;
using ClosedLoop.Bench.Hosting;

namespace ClosedLoop.Bench.Cases.Queries;

/// <summary>
/// The timed pass, in two modes over the same warmed-up API. <b>One at a time</b>: rounds over every query, each
/// timed once through the API and once as hand-written SQL (which goes first alternates), plus <c>GET /alive</c> once
/// a round. <b>Back to back</b>: rounds in which each query runs as a block of calls through the API and a block as SQL
/// (which block goes first alternates), and <c>/alive</c> as a block; the median call of a block is the round's figure.
/// Rounds rather than one query at a time, so a busy spell on a shared machine lands on every query alike. The
/// back-to-back blocks also sum the CPU time the API process and this process spent in them, which waiting for a
/// core on a crowded machine does not inflate.
/// </summary>
/// <remarks>
/// Why both: one at a time, every API request finds the server's threads asleep (the SQL call before it kept them
/// idle) and pays for waking them, a cost the in-process SQL never pays; in a block only the first call does, which
/// is how a server under steady traffic runs. Neither figure alone is the whole truth.
/// </remarks>
internal sealed class Rounds(
    HttpClient http, ApiLister lister, HandWrittenSql sql, IReadOnlyList<ListQuery> queries, IReadOnlyDictionary<string, CapturedQuery> captures, Process api)
{
    private static readonly Process Driver = Process.GetCurrentProcess();

    private readonly List<double> _load = [];

    public Timings OneAtATime { get; } = new(queries);

    public Timings BackToBack { get; } = new(queries);

    /// <summary>Median of the machine's 1-minute load average over the rounds of both modes (NaN without /proc).</summary>
    public double LoadAverage => Stats.Median(_load);

    /// <summary>
    /// Untimed rounds, so the API's code is jitted and tiered up as a running server's is; tiering finishes in the
    /// background, so the rounds also go on for a minimum time.
    /// </summary>
    public async Task WarmUpAsync(int rounds, TimeSpan minimum, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < rounds || clock.Elapsed < minimum; i++)
        {
            foreach (var query in queries)
            {
                await lister.FetchAsync(captures[query.Key].ApiQuery, query.AsAgent, cancellationToken);
                await sql.RunAsync(query, captures[query.Key].After, cancellationToken);
            }
        }
    }

    public async Task MeasureOneAtATimeAsync(int rounds, CancellationToken cancellationToken)
    {
        for (var i = 0; i < rounds; i++)
        {
            OneAtATime.Alive.Add(await TimeAsync(() => AliveAsync(cancellationToken)));
            foreach (var query in queries)
            {
                var captured = captures[query.Key];
                async Task ApiCall()
                {
                    var server = 0.0;
                    OneAtATime.Api[query.Key].Add(await TimeAsync(async () => server = await lister.FetchAsync(captured.ApiQuery, query.AsAgent, cancellationToken)));
                    OneAtATime.Server[query.Key].Add(server);
                }

                if (i % 2 == 0)
                {
                    await ApiCall();
                    OneAtATime.Sql[query.Key].Add(await TimeAsync(() => sql.RunAsync(query, captured.After, cancellationToken)));
                }
                else
                {
                    OneAtATime.Sql[query.Key].Add(await TimeAsync(() => sql.RunAsync(query, captured.After, cancellationToken)));
                    await ApiCall();
                }
            }

            SampleLoad();
        }
    }

    /// <summary>Each round: per query, <paramref name="block"/> API calls and <paramref name="block"/> SQL calls back to back; one median per block.</summary>
    public async Task MeasureBackToBackAsync(int rounds, int block, CancellationToken cancellationToken)
    {
        for (var i = 0; i < rounds; i++)
        {
            BackToBack.Alive.Add(await BlockAsync(block, api, BackToBack.Cpu, "alive", () => AliveAsync(cancellationToken)));
            foreach (var query in queries)
            {
                var captured = captures[query.Key];
                async Task ApiBlock()
                {
                    var server = new List<double>(block);
                    BackToBack.Api[query.Key].Add(await BlockAsync(block, api, BackToBack.Cpu, "api " + query.Key, async () =>
                    {
                        server.Add(await lister.FetchAsync(captured.ApiQuery, query.AsAgent, cancellationToken));
                        return 0;
                    }));
                    BackToBack.Server[query.Key].Add(Stats.Median(server));
                }

                Task SqlBlock() => AddAsync(BackToBack.Sql[query.Key], BlockAsync(block, Driver, BackToBack.Cpu, "sql " + query.Key, () => sql.RunAsync(query, captured.After, cancellationToken)));
                if (i % 2 == 0)
                {
                    await ApiBlock();
                    await SqlBlock();
                }
                else
                {
                    await SqlBlock();
                    await ApiBlock();
                }
            }

            SampleLoad();
        }
    }

    private async Task<int> AliveAsync(CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(new Uri("alive", UriKind.Relative), cancellationToken);
        response.EnsureSuccessStatusCode();
        return 0;
    }

    private void SampleLoad() =>
        _load.Add(File.Exists("/proc/loadavg") ? double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture) : double.NaN);

    private static async Task AddAsync(List<double> to, Task<double> value) => to.Add(await value);

    /// <summary>The median call of a block; the CPU time <paramref name="process"/> spent in the whole block is added to <paramref name="cpu"/>.</summary>
    private static async Task<double> BlockAsync<T>(int calls, Process process, Dictionary<string, CpuTime> cpu, string key, Func<Task<T>> action)
    {
        var times = new List<double>(calls);
        process.Refresh();
        var before = process.TotalProcessorTime;
        for (var i = 0; i < calls; i++)
        {
            times.Add(await TimeAsync(action));
        }

        process.Refresh();
        var spent = process.TotalProcessorTime - before;
        cpu[key] = cpu.TryGetValue(key, out var sum) ? new CpuTime(sum.Total + spent, sum.Calls + calls) : new CpuTime(spent, calls);
        return Stats.Median(times);
    }

    private static async Task<double> TimeAsync<T>(Func<Task<T>> action)
    {
        var start = Stopwatch.GetTimestamp();
        await action();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }
}

/// <summary>Milliseconds per round of one mode: <c>GET /alive</c> (Kestrel, middleware, loopback and the client, no database) and each query both ways.</summary>
internal sealed class Timings(IReadOnlyList<ListQuery> queries)
{
    public List<double> Alive { get; } = [];

    public Dictionary<string, List<double>> Api { get; } = queries.ToDictionary(q => q.Key, _ => new List<double>(), StringComparer.Ordinal);

    public Dictionary<string, List<double>> Sql { get; } = queries.ToDictionary(q => q.Key, _ => new List<double>(), StringComparer.Ordinal);

    /// <summary>What the API reported for the endpoint itself (<c>Server-Timing</c>): its query, topics and mapping, without HTTP and JSON.</summary>
    public Dictionary<string, List<double>> Server { get; } = queries.ToDictionary(q => q.Key, _ => new List<double>(), StringComparer.Ordinal);

    /// <summary>
    /// Back to back only, by "alive", "api KEY", "sql KEY": CPU time of the API process over its blocks, and of this
    /// process over the SQL blocks (on SQLite the whole query; on PostgreSQL only the client side). Summed over all
    /// rounds, as the kernel counts it in 10 ms ticks.
    /// </summary>
    public Dictionary<string, CpuTime> Cpu { get; } = new(StringComparer.Ordinal);

    /// <summary>Milliseconds of CPU per call, or NaN when not measured.</summary>
    public double CpuPerCall(string key) => Cpu.TryGetValue(key, out var cpu) && cpu.Calls > 0 ? cpu.Total.TotalMilliseconds / cpu.Calls : double.NaN;
}

/// <summary>CPU time summed over a number of calls.</summary>
internal readonly record struct CpuTime(TimeSpan Total, int Calls);
