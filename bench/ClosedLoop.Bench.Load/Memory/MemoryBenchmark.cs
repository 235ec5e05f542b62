using ClosedLoop.Bench.Load.Bulk;
using ClosedLoop.Bench.Load.Data;
using ClosedLoop.Bench.Hosting;
using ClosedLoop.Bench.Load.Reporting;

namespace ClosedLoop.Bench.Load.Memory;

/// <summary>
/// Imports a large generated CSV (1,000,000 rows by default; generated and uploaded as streams) into a
/// fresh API and reports the API process's peak working set while it uploads and processes the file.
/// </summary>
internal sealed class MemoryBenchmark(BenchOptions options, Report report) : IBenchmark
{
    private const long Budget = 500L * 1024 * 1024;
    private static readonly TimeSpan ImportTimeout = TimeSpan.FromHours(3);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var csv = Path.Combine(Path.GetTempPath(), $"closedloop-bench-{Environment.ProcessId}-memory-{options.Rows}.csv");
        try
        {
            var faker = new FeedbackFaker(seed: 7, customerPool: Math.Max(1, options.Rows / 5), DateTimeOffset.UtcNow);
            var bytes = await CsvFile.WriteAsync(csv, Enumerable.Range(1, options.Rows).Select(i => faker.Next("bench-memory", $"mem-{i:D8}")), cancellationToken);
            report.Line($"memory: {options.Rows:N0} rows, CSV {bytes / 1024.0 / 1024:N1} MB; VmRSS sampled every 500 ms; budget {Budget / 1024 / 1024} MB");
            report.Table("provider", "rows", "peak working set MB (sampled VmRSS)", "VmHWM MB", "idle before MB", "import rows/s", "import s", "accepted", "under 500 MB");
            foreach (var provider in options.Providers)
            {
                await RunProviderAsync(provider, csv, cancellationToken);
            }

            report.Flush();
        }
        finally
        {
            File.Delete(csv);
        }
    }

    private async Task RunProviderAsync(Provider provider, string csv, CancellationToken cancellationToken)
    {
        await using var databases = await BenchDatabase.StartAsync(provider, cancellationToken);
        report.Line($"[{provider}] {databases.Description}");
        var peaks = new List<double>();
        var highWater = new List<double>();
        var idle = new List<double>();
        var imports = new List<ImportResult>();
        for (var rep = 1; rep <= options.Repetitions; rep++)
        {
            var database = await databases.CreateAsync($"closedloop_memory_{rep}", cancellationToken);
            await using var api = await ApiProcess.StartAsync(options.Api, provider, database, cancellationToken);
            using var http = BenchHttp.Create(api.BaseAddress, 2, TimeSpan.FromMinutes(60));
            idle.Add(Megabytes(RssSampler.Read(api.ProcessId, "VmRSS")));
            var meters = CpuMeter.For(api.ProcessId, databases.ServerProcessId);
            var before = CpuMeter.Snapshot(meters);
            await using (var sampler = new RssSampler(api.ProcessId))
            {
                var run = rep;
                imports.Add(await ImportClient.ImportAsync(http, csv, ImportTimeout, line => report.Line($"[{provider}] rep {run}: {line}, VmRSS max so far {Megabytes(sampler.MaxRssBytes):N0} MB"), cancellationToken));
                peaks.Add(Megabytes(sampler.MaxRssBytes));
            }

            report.Line($"[{provider}] rep {rep}: import {CpuMeter.DescribeCores(before, CpuMeter.Snapshot(meters), imports[^1].Elapsed.TotalSeconds)}");

            highWater.Add(Megabytes(RssSampler.Read(api.ProcessId, "VmHWM")));
            report.Line($"[{provider}] rep {rep}: peak VmRSS {peaks[^1]:N0} MB, VmHWM {highWater[^1]:N0} MB, {imports[^1].Status}, {imports[^1].Accepted:N0} accepted in {imports[^1].Elapsed.TotalSeconds:N0} s");
        }

        var peak = Stats.Median(peaks);
        report.Row(
            provider.ToString(),
            Report.Number(options.Rows),
            Report.Number(peak),
            Report.Number(Stats.Median(highWater)),
            Report.Number(Stats.Median(idle)),
            Report.Number(Stats.Median(imports.Select(i => options.Rows / i.Elapsed.TotalSeconds))),
            Report.Number(Stats.Median(imports.Select(i => i.Elapsed.TotalSeconds))),
            string.Join(" / ", imports.Select(i => Report.Number(i.Accepted))),
            peaks.Max() * 1024 * 1024 < Budget ? "yes" : "NO");
    }

    private static double Megabytes(long? bytes) => (bytes ?? 0) / 1024.0 / 1024;
}
