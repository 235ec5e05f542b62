using ClosedLoop.Bench.Load.Data;
using ClosedLoop.Bench.Hosting;
using ClosedLoop.Bench.Load.Reporting;
using Microsoft.Data.Sqlite;

namespace ClosedLoop.Bench.Load.Bulk;

/// <summary>
/// Per provider and repetition: a fresh API on a fresh database imports the generated CSV through
/// <c>POST /api/v1/imports</c> (timed until the job reports completed); then, with the API stopped, the
/// same rows go into an identical, empty items table in a separate database by raw multi-row INSERT (and
/// binary COPY on PostgreSQL). Reports medians and the import rate as a fraction of each floor, and when the
/// import's downstream effects (cases opened, linked back) were all done.
/// </summary>
internal sealed class BulkBenchmark(BenchOptions options, Report report) : IBenchmark
{
    private static readonly TimeSpan ImportTimeout = TimeSpan.FromMinutes(60);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var records = Generate(options.Rows);
        var csv = Path.Combine(Path.GetTempPath(), $"closedloop-bench-{Environment.ProcessId}-{options.Rows}.csv");
        try
        {
            var bytes = await CsvFile.WriteAsync(csv, records, cancellationToken);
            var rows = RawRow.From(records);
            report.Line($"bulk: {options.Rows:N0} rows, CSV {bytes / 1024.0 / 1024:N1} MB; warm-up imports of {options.WarmupRows:N0} other rows first, until the API is warm");
            report.Table("provider", "import rows/s", "raw INSERT rows/s", "COPY rows/s", "import ÷ INSERT", "import ÷ COPY", "import s", "all effects done s", "done rows/s ÷ INSERT", "accepted");
            foreach (var provider in options.Providers)
            {
                await RunProviderAsync(provider, csv, rows, cancellationToken);
            }

            report.Flush();
        }
        finally
        {
            File.Delete(csv);
            foreach (var file in _warmupFiles.Values)
            {
                File.Delete(file);
            }
        }
    }

    private async Task RunProviderAsync(Provider provider, string csv, IReadOnlyList<RawRow> rows, CancellationToken cancellationToken)
    {
        await using var databases = await BenchDatabase.StartAsync(provider, cancellationToken);
        report.Line($"[{provider}] {databases.Description}");
        var imports = new List<ImportResult>();
        var inserts = new List<double>();
        var copies = new List<double>();
        var settled = new List<TimeSpan>();
        for (var rep = 1; rep <= options.Repetitions; rep++)
        {
            var apiDatabase = await databases.CreateAsync($"closedloop_bulk_{rep}", cancellationToken);
            ItemsTable table;
            await using (var api = await ApiProcess.StartAsync(options.Api, provider, apiDatabase, cancellationToken))
            {
                table = await ItemsTable.CaptureAsync(provider, apiDatabase, cancellationToken);
                using var http = BenchHttp.Create(api.BaseAddress, 2, TimeSpan.FromMinutes(30));
                await WarmUpAsync(provider, rep, api.ProcessId, apiDatabase, http, cancellationToken);
                var meters = CpuMeter.For(api.ProcessId, databases.ServerProcessId);
                var before = CpuMeter.Snapshot(meters);
                imports.Add(await ImportClient.ImportAsync(http, csv, ImportTimeout, line => report.Line($"[{provider}] rep {rep}: {line}"), cancellationToken));
                report.Line($"[{provider}] rep {rep}: import {CpuMeter.DescribeCores(before, CpuMeter.Snapshot(meters), imports[^1].Elapsed.TotalSeconds)}");

                // What the import set in motion (a case per routed item that asks for one, its link back) is done
                // when every outbox is empty: the time a user waits for the last case, counted from the upload too.
                if (!options.IngestOnly)
                {
                    var after = await OutboxBacklog.WaitUntilSettledAsync(provider, apiDatabase, ImportTimeout, cancellationToken);
                    settled.Add(imports[^1].Elapsed + after);
                    report.Line($"[{provider}] rep {rep}: every outbox empty {after.TotalSeconds:N1} s after the import completed");
                }
            }

            var import = imports[^1];
            if (import.Status != "completed" || import.Accepted != rows.Count)
            {
                report.Line($"[{provider}] rep {rep}: WARNING import ended {import.Status} with {import.Accepted:N0} of {rows.Count:N0} accepted: {import.Body}");
            }

            var scratch = await databases.CreateAsync($"closedloop_raw_{rep}", cancellationToken);
            inserts.Add(rows.Count / (provider == Provider.Sqlite
                ? await SqliteFloor.InsertAsync(scratch, table, rows, cancellationToken)
                : await PostgresFloor.InsertAsync(scratch, table, rows, cancellationToken)).TotalSeconds);
            if (provider == Provider.PostgreSql)
            {
                copies.Add(rows.Count / (await PostgresFloor.CopyAsync(scratch, table, rows, cancellationToken)).TotalSeconds);
            }

            SqliteConnection.ClearAllPools();
            var copyText = copies.Count > 0 ? $", COPY {Report.Number(copies[^1])} rows/s" : "";
            report.Line($"[{provider}] rep {rep}: import {Report.Number(rows.Count / import.Elapsed.TotalSeconds)} rows/s ({import.Elapsed.TotalSeconds:N1} s), raw INSERT {Report.Number(inserts[^1])} rows/s{copyText}");
        }

        // Each repetition's import against the floor measured right after it (the floor itself moves by a third between runs).
        var paired = imports.Zip(inserts, (i, floor) => rows.Count / i.Elapsed.TotalSeconds / floor).ToList();
        report.Line($"[{provider}] import ÷ INSERT per repetition: {string.Join(" / ", paired.Select(r => r.ToString("N3", System.Globalization.CultureInfo.InvariantCulture)))} (median {Stats.Median(paired).ToString("N3", System.Globalization.CultureInfo.InvariantCulture)})");
        var importRate = Stats.Median(imports.Select(i => rows.Count / i.Elapsed.TotalSeconds));
        var insertRate = Stats.Median(inserts);
        var copyRate = Stats.Median(copies);
        report.Row(
            provider.ToString(),
            Report.Number(importRate),
            Report.Number(insertRate),
            copies.Count == 0 ? "–" : Report.Number(copyRate),
            Report.Number(importRate / insertRate, "N2"),
            copies.Count == 0 ? "–" : Report.Number(importRate / copyRate, "N2"),
            Report.Number(Stats.Median(imports.Select(i => i.Elapsed.TotalSeconds)), "N1"),
            settled.Count == 0 ? "–" : Report.Number(Stats.Median(settled.Select(s => s.TotalSeconds)), "N1"),
            settled.Count == 0 ? "–" : Report.Number(Stats.Median(settled.Select(s => rows.Count / s.TotalSeconds)) / insertRate, "N2"),
            string.Join(" / ", imports.Select(i => Report.Number(i.Accepted))));
    }

    /// <summary>
    /// Imports other rows (another source and other customers each round, so the measured import still creates every row
    /// it writes) until the API is warm, as a running server is: its code jitted and tiered up, its pools and caches
    /// filled. One import is not enough: the runtime promotes a hot method in steps (tier 0, instrumented, optimized),
    /// each after more calls and a quiet spell, and after a single 20,000-row import the tier-up thread still took a
    /// third of the API's CPU during the measured import; after five it takes 0.03–0.04 core there (each line of
    /// the output shows that thread's share). After each round: its effects done (cases opened) and the API idle.
    /// </summary>
    private async Task WarmUpAsync(Provider provider, int rep, int apiProcessId, string apiDatabase, HttpClient http, CancellationToken cancellationToken)
    {
        if (options.WarmupRows == 0)
        {
            return;
        }

        var jit = CpuMeter.Jit(apiProcessId);
        for (var round = 1; round <= options.WarmupRounds; round++)
        {
            var csv = await WarmupCsvAsync(round, cancellationToken);
            var jitBefore = jit.Read();
            var warmup = await ImportClient.ImportAsync(http, csv, ImportTimeout, _ => { }, cancellationToken);
            var jitCores = (jit.Read() - jitBefore) / Math.Max(warmup.Elapsed.TotalSeconds, 1e-9);
            var drained = options.IngestOnly ? TimeSpan.Zero : await OutboxBacklog.WaitUntilSettledAsync(provider, apiDatabase, ImportTimeout, cancellationToken);
            var quiet = await WaitUntilIdleAsync(apiProcessId, cancellationToken);
            report.Line($"[{provider}] rep {rep}: warm-up {round}: import {warmup.Status}, {Report.Number(warmup.Accepted)} rows in {warmup.Elapsed.TotalSeconds:N1} s " +
                $"(JIT tier-up {jitCores:N2} core), outbox empty after {drained.TotalSeconds:N1} s, API idle after {quiet.TotalSeconds:N1} s more");
        }
    }

    private readonly Dictionary<int, string> _warmupFiles = [];

    private async Task<string> WarmupCsvAsync(int round, CancellationToken cancellationToken)
    {
        if (!_warmupFiles.TryGetValue(round, out var path))
        {
            path = Path.Combine(Path.GetTempPath(), $"closedloop-bench-{Environment.ProcessId}-warmup-{round}-{options.WarmupRows}.csv");
            await CsvFile.WriteAsync(path, GenerateWarmup(round, options.WarmupRows), cancellationToken);
            _warmupFiles[round] = path;
        }

        return path;
    }

    /// <summary>Waits until the API uses under 5 % of a core over two seconds (at most a minute).</summary>
    private static async Task<TimeSpan> WaitUntilIdleAsync(int apiProcessId, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var meter = CpuMeter.Process("api", apiProcessId);
        var window = TimeSpan.FromSeconds(2);
        while (clock.Elapsed < TimeSpan.FromMinutes(1))
        {
            var before = meter.Read();
            await Task.Delay(window, cancellationToken);
            if ((meter.Read() - before) / window.TotalSeconds < 0.05)
            {
                break;
            }
        }

        return clock.Elapsed;
    }

    private static IEnumerable<FeedbackRecord> GenerateWarmup(int round, int count)
    {
        var faker = new FeedbackFaker(seed: 7 + round, customerPool: Math.Max(1, count / 5), DateTimeOffset.UtcNow, firstCustomer: 50_000_000 + (round * 1_000_000));
        return Enumerable.Range(1, count).Select(i => faker.Next($"bench-warmup-{round}", $"warm-{i:D8}"));
    }

    private static List<FeedbackRecord> Generate(int count)
    {
        var faker = new FeedbackFaker(seed: 42, customerPool: Math.Max(1, count / 5), DateTimeOffset.UtcNow);
        return [.. Enumerable.Range(1, count).Select(i => faker.Next("bench-import", $"imp-{i:D8}"))];
    }
}
