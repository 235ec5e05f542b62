using System.Diagnostics;
using System.Globalization;
using ClosedLoop.Bench.Cases.Plans;
using ClosedLoop.Bench.Hosting;

namespace ClosedLoop.Bench.Cases.Queries;

/// <summary>
/// The timed pass: rounds over every query, each timed through the API and as hand-written SQL one after the other
/// (which goes first alternates), plus <c>GET /alive</c> once a round. Rounds rather than one query at a time, so a busy
/// spell on a shared machine lands on every query alike.
/// </summary>
internal sealed class Rounds(HttpClient http, ApiLister lister, HandWrittenSql sql, IReadOnlyList<ListQuery> queries, IReadOnlyDictionary<string, CapturedQuery> captures)
{
    private readonly List<double> _load = [];

    /// <summary>Milliseconds of <c>GET /alive</c>: Kestrel, middleware, loopback and the client, no database.</summary>
    public List<double> Alive { get; } = [];

    public Dictionary<string, List<double>> Api { get; } = queries.ToDictionary(q => q.Key, _ => new List<double>(), StringComparer.Ordinal);

    public Dictionary<string, List<double>> Sql { get; } = queries.ToDictionary(q => q.Key, _ => new List<double>(), StringComparer.Ordinal);

    /// <summary>Median of the machine's 1-minute load average over the rounds (NaN without /proc).</summary>
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
                await lister.FetchAsync(captures[query.Key].ApiQuery, cancellationToken);
                await sql.RunAsync(query, captures[query.Key].After, cancellationToken);
            }
        }
    }

    public async Task MeasureAsync(int rounds, CancellationToken cancellationToken)
    {
        for (var i = 0; i < rounds; i++)
        {
            Alive.Add(await TimeAsync(async () =>
            {
                using var response = await http.GetAsync(new Uri("alive", UriKind.Relative), cancellationToken);
                return response.EnsureSuccessStatusCode().StatusCode;
            }));
            foreach (var query in queries)
            {
                var captured = captures[query.Key];
                if (i % 2 == 0)
                {
                    Api[query.Key].Add(await TimeAsync(() => lister.FetchAsync(captured.ApiQuery, cancellationToken)));
                    Sql[query.Key].Add(await TimeAsync(() => sql.RunAsync(query, captured.After, cancellationToken)));
                }
                else
                {
                    Sql[query.Key].Add(await TimeAsync(() => sql.RunAsync(query, captured.After, cancellationToken)));
                    Api[query.Key].Add(await TimeAsync(() => lister.FetchAsync(captured.ApiQuery, cancellationToken)));
                }
            }

            _load.Add(File.Exists("/proc/loadavg") ? double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture) : double.NaN);
        }
    }

    private static async Task<double> TimeAsync<T>(Func<Task<T>> action)
    {
        var start = Stopwatch.GetTimestamp();
        await action();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }
}
