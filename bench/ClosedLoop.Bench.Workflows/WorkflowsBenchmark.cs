using System.Diagnostics;
using ClosedLoop.Bench.Hosting;
using ClosedLoop.Bench.Workflows.Seeding;
using static ClosedLoop.Bench.Workflows.LoopApi;

namespace ClosedLoop.Bench.Workflows;

/// <summary>
/// Per provider and history size: the API on the database (fresh, or with <c>--existing</c> finished instances loaded
/// while it was stopped), warmed up, then repetitions of [Start → End, five steps], each <c>--loops</c> detractor
/// posts whose loops are timed from the first post until the last instance is completed; then the step latency.
/// </summary>
internal sealed class WorkflowsBenchmark(WorkflowBenchOptions options, TextWriter output)
{
    private const string Database = "closedloop_workflows";
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    private readonly List<string> _throughput = [];
    private readonly List<string> _breakdown = [];
    private readonly List<string> _latency = [];
    private PostgresActivity? _activity;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        output.WriteLine("# ClosedLoop bench: workflow runtime");
        output.WriteLine($"machine: {Environment.ProcessorCount} cores, {memory:0} GB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}; "
            + $"1-minute load average at start {LoadAverage():N1}");
        output.WriteLine($"{options.Loops:N0} loops per measurement, {options.Repetitions} repetitions (medians), {options.Concurrency} posting workers, warm-up {options.Warmup:N0} loops of each kind; "
            + $"history: 0 and {options.Existing:N0} finished instances; latency over {options.Latency} instances"
            + (options.ApiSettings.Count > 0 ? "; API settings: " + string.Join(", ", options.ApiSettings.Select(s => $"{s.Key}={s.Value}")) : ""));
        var total = Stopwatch.StartNew();
        foreach (var provider in options.Providers)
        {
            await RunProviderAsync(provider, cancellationToken);
        }

        output.WriteLine();
        output.WriteLine("Throughput: loops per second from the first post until the last instance's FinishedAt (medians of the repetitions); ratio: the loop ÷ Start → End of the same repetition.");
        output.WriteLine();
        output.WriteLine("| provider | finished instances before | loop | completions/s (median) | per repetition | ÷ Start → End | posts answered, s | last loop started, s | last loop completed, s | API CPU ms per loop | PostgreSQL CPU ms per loop | machine busy, cores | other work, cores |");
        output.WriteLine("| --- | ---: | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        _throughput.ForEach(output.WriteLine);
        output.WriteLine();
        output.WriteLine("Where a five-step loop's time goes (medians / p99 over the sampled instances of every repetition): start → first run, the zero-delay timer (bookmark committed → resumed run), instance created → finished.");
        output.WriteLine();
        output.WriteLine("| provider | finished instances before | case opened → first run, ms | timer: wait → resumed run, ms | created → finished, ms |");
        output.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        _breakdown.ForEach(output.WriteLine);
        output.WriteLine();
        output.WriteLine("Step latency: POST /cases/{id}/acknowledge sent → GET /workflow-instances/{id} shows the next bookmark (polled every ~1 ms), one instance at a time.");
        output.WriteLine();
        output.WriteLine("| provider | finished instances before | instances | median ms | p99 ms | max ms | acknowledge answered, median ms |");
        output.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        _latency.ForEach(output.WriteLine);
        output.WriteLine();
        output.WriteLine($"whole run: {total.Elapsed.TotalMinutes:N1} min");
    }

    private async Task RunProviderAsync(Provider provider, CancellationToken cancellationToken)
    {
        await using var databases = await BenchDatabase.StartAsync(provider, cancellationToken);
        var connectionString = await databases.CreateAsync(Database, cancellationToken);
        Line(provider, databases.Description);
        InstanceTemplate? template = null;
        var sizes = options.Existing > 0 ? new[] { 0, options.Existing } : [0];
        foreach (var existing in sizes)
        {
            if (existing > 0)
            {
                if (template is null)
                {
                    throw new BenchException("No instance to copy.");
                }

                var seed = await HistorySeeder.SeedAsync(provider, connectionString, template, existing, line => Line(provider, line), cancellationToken);
                Line(provider, $"seeded {seed.Instances:N0} completed instances and {seed.Executions:N0} executions in {(seed.Load + seed.Indexes + seed.Analyze).TotalSeconds:N0} s "
                    + $"(load {seed.Load.TotalSeconds:N0} s, indexes {seed.Indexes.TotalSeconds:N0} s, statistics {seed.Analyze.TotalSeconds:N0} s; not measured)");
            }

            await using var api = await ApiProcess.StartAsync(options.Api, provider, connectionString, cancellationToken);
            using var ingest = BenchHttp.Create(api.BaseAddress, options.Concurrency, TimeSpan.FromMinutes(2));
            using var admin = BenchHttp.Create(api.BaseAddress, 4, TimeSpan.FromMinutes(2), BenchHttp.AdminKey);
            var loops = new LoopApi(ingest, admin, $"{provider}-{existing}-{DateTime.UtcNow:HHmmss}");
            var cpu = new CpuMeter(api.ProcessId, databases.ServerProcessId);
            _activity = options.PgStats && provider == Provider.PostgreSql ? new PostgresActivity(connectionString) : null;
            Line(provider, $"API pid {api.ProcessId} at {api.BaseAddress}; {existing:N0} finished instances before");

            // Warm-up: both loops, untimed, so the measured ones run on a warm JIT and warm caches.
            if (options.Warmup > 0)
            {
                foreach (var json in new[] { Loops.FiveSteps, Loops.StartEnd })
                {
                    var version = await loops.PublishAsync(json, cancellationToken);
                    var warm = await MeasureAsync(loops, cpu, version, options.Warmup, cancellationToken);
                    Line(provider, $"warm-up v{version}: {warm.Rate:N1} loops/s");
                }
            }

            var fiveRates = new List<double>();
            var baseRates = new List<double>();
            var ratios = new List<double>();
            var five = new List<Measurement>();
            var baseline = new List<Measurement>();
            var lastFiveVersion = 0;
            var variants = new Dictionary<string, (string Json, List<Measurement> Runs, List<double> Ratios)>(StringComparer.Ordinal);
            if (options.Attribution)
            {
                variants["five steps without the timer (Delay → SetVariable)"] = (Loops.NoTimer, [], []);
                variants["five steps without the message (SendMessage → SetVariable)"] = (Loops.NoMessage, [], []);
            }

            for (var r = 1; r <= options.Repetitions; r++)
            {
                var baseVersion = await loops.PublishAsync(Loops.StartEnd, cancellationToken);
                var b = await MeasureAsync(loops, cpu, baseVersion, options.Loops, cancellationToken);
                lastFiveVersion = await loops.PublishAsync(Loops.FiveSteps, cancellationToken);
                var f = await MeasureAsync(loops, cpu, lastFiveVersion, options.Loops, cancellationToken);
                f = f with { Breakdown = await SampleAsync(loops, f.Rows, cancellationToken) };
                baseline.Add(b);
                five.Add(f);
                ratios.Add(f.Rate / b.Rate);
                Line(provider, $"repetition {r}: Start → End {b.Describe()}");
                Line(provider, $"repetition {r}: five steps {f.Describe()}; ratio {f.Rate / b.Rate:N2}");
                foreach (var (name, variant) in variants)
                {
                    var v = await MeasureAsync(loops, cpu, await loops.PublishAsync(variant.Json, cancellationToken), options.Loops, cancellationToken);
                    variant.Runs.Add(v);
                    variant.Ratios.Add(v.Rate / b.Rate);
                    Line(provider, $"repetition {r}: {name} {v.Describe()}; ratio {v.Rate / b.Rate:N2}");
                }
            }

            AddThroughput(provider, existing, "Start → End (baseline)", baseline, null);
            AddThroughput(provider, existing, "five steps (message, zero-delay timer, variable)", five, ratios);
            foreach (var (name, variant) in variants)
            {
                AddThroughput(provider, existing, name, variant.Runs, variant.Ratios);
            }

            var breakdowns = five.SelectMany(m => m.Breakdown).ToList();
            _breakdown.Add($"| {provider} | {existing:N0} | {Spread(breakdowns.Select(x => x.StartLag))} | {Spread(breakdowns.Select(x => x.TimerLag))} | {Spread(breakdowns.Select(x => x.Lifetime))} |");

            if (options.Latency > 0)
            {
                await LatencyAsync(provider, existing, loops, cancellationToken);
            }

            if (existing == 0)
            {
                template = await HistorySeeder.ReadTemplateAsync(provider, connectionString, lastFiveVersion, cancellationToken);
                Line(provider, $"template for the history: version {template.Version}, state {template.StateJson.Length} chars, {template.Executions.Count} executions");
            }
        }
    }

    private void AddThroughput(Provider provider, int existing, string loop, List<Measurement> runs, List<double>? ratios)
    {
        var rate = Stats.Median(runs.Select(m => m.Rate));
        _throughput.Add($"| {provider} | {existing:N0} | {loop} | **{Format(rate)}** | {string.Join(" / ", runs.Select(m => Format(m.Rate)))} | "
            + $"{(ratios is null ? "1" : Format(Stats.Median(ratios), "N2"))} | {Format(Stats.Median(runs.Select(m => m.Posted.TotalSeconds)))} | "
            + $"{Format(Stats.Median(runs.Select(m => m.LastStarted.TotalSeconds)))} | {Format(Stats.Median(runs.Select(m => m.LastFinished.TotalSeconds)))} | "
            + $"{Format(Stats.Median(runs.Select(m => m.ApiCpuMs)))} | {(provider == Provider.Sqlite ? "–" : Format(Stats.Median(runs.Select(m => m.ServerCpuMs))))} | "
            + $"{Format(Stats.Median(runs.Select(m => m.MachineCores)), "N2")} | {Format(Stats.Median(runs.Select(m => m.OtherCores)), "N2")} |");
    }

    /// <summary>Posts <paramref name="count"/> detractors and waits until every loop of <paramref name="version"/> they started is completed.</summary>
    private async Task<Measurement> MeasureAsync(LoopApi loops, CpuMeter cpu, int version, int count, CancellationToken cancellationToken)
    {
        PostgresActivity.Snapshot? activity = null;
        if (_activity is not null)
        {
            await Task.Delay(PostgresActivity.Settle, cancellationToken);
            activity = await _activity.ReadAsync(cancellationToken);
        }

        var before = cpu.Read();
        var driverBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var t0 = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        await loops.PostDetractorsAsync(count, options.Concurrency, cancellationToken);
        var posted = clock.Elapsed;
        var deadline = TimeSpan.FromSeconds(Math.Max(120, count / 2.0));
        var polls = 0;
        var since = t0.AddSeconds(-1);
        List<InstanceRow> completed;
        var astray = 0;
        while (true)
        {
            await Task.Delay(PollInterval, cancellationToken);
            completed = await loops.InstancesAsync(version, "completed", since, cancellationToken);
            if (completed.Count + astray >= count)
            {
                break;
            }

            if (++polls % 8 == 0 || clock.Elapsed > deadline)
            {
                // An item whose rule evaluation ran past the rules' time budget (a busy machine) takes the default
                // route, whose loop "default" does not exist: its instance faults at once. It is counted, not waited for.
                var faulted = await loops.InstancesAsync(null, null, "faulted", since, cancellationToken);
                astray = faulted.Count(f => f.Version != version);
                if (faulted.Any(f => f.Version == version) || clock.Elapsed > deadline)
                {
                    var running = await loops.InstancesAsync(version, "running", since, cancellationToken);
                    var waiting = await loops.InstancesAsync(version, "waiting", since, cancellationToken);
                    throw new BenchException($"v{version}: after {clock.Elapsed.TotalSeconds:N0} s {completed.Count} of {count} loops completed, {running.Count} running, {waiting.Count} waiting, "
                        + $"{faulted.Count(f => f.Version == version)} faulted; {astray} other instances faulted.");
                }
            }
        }

        var detected = clock.Elapsed;
        var after = cpu.Read();
        var lastFinished = completed.Max(r => r.FinishedAt!.Value) - t0;
        var lastStarted = completed.Max(r => r.CreatedAt) - t0;
        var rate = completed.Count / lastFinished.TotalSeconds;
        if (_activity is not null && activity is not null)
        {
            await Task.Delay(PostgresActivity.Settle, cancellationToken);
            foreach (var line in (await _activity.ReadAsync(cancellationToken)).Describe(activity, count))
            {
                output.WriteLine($"    v{version} {line}");
            }
        }

        var driver = Process.GetCurrentProcess().TotalProcessorTime - driverBefore;
        var busy = (after.Machine - before.Machine).TotalSeconds;
        var other = busy - (after.Api - before.Api).TotalSeconds - (after.Server - before.Server).TotalSeconds - driver.TotalSeconds;
        return new Measurement(version, completed.Count, rate, posted, lastStarted, lastFinished, detected,
            (after.Api - before.Api).TotalMilliseconds / count,
            (after.Server - before.Server).TotalMilliseconds / count,
            busy / detected.TotalSeconds, other / detected.TotalSeconds, count - completed.Count,
            completed, []);
    }

    /// <summary>Reads the logs of a sample of the completed instances (untimed) and splits each one's life.</summary>
    private async Task<List<Breakdown>> SampleAsync(LoopApi loops, List<InstanceRow> rows, CancellationToken cancellationToken)
    {
        var result = new List<Breakdown>();
        if (options.Sample == 0)
        {
            return result;
        }

        var step = Math.Max(1, rows.Count / options.Sample);
        for (var i = 0; i < rows.Count && result.Count < options.Sample; i += step)
        {
            var row = rows[i];
            var view = await loops.InstanceAsync(row.Id, cancellationToken);
            var first = view.Log.FirstOrDefault();
            var waiting = view.Log.FirstOrDefault(e => e.ActivityId == "no-delay" && e.Outcome == "waiting");
            var resumed = view.Log.FirstOrDefault(e => e.ActivityId == "no-delay" && e.Outcome == "resumed");
            if (first is null || waiting is null || resumed is null || row.FinishedAt is null)
            {
                continue;
            }

            result.Add(new Breakdown((first.At - row.CreatedAt).TotalMilliseconds, (resumed.At - waiting.At).TotalMilliseconds, (row.FinishedAt.Value - row.CreatedAt).TotalMilliseconds));
        }

        return result;
    }

    private async Task LatencyAsync(Provider provider, int existing, LoopApi loops, CancellationToken cancellationToken)
    {
        var version = await loops.PublishAsync(Loops.Latency, cancellationToken);
        var t0 = DateTimeOffset.UtcNow;
        await loops.PostDetractorsAsync(options.Latency, options.Concurrency, cancellationToken);
        var clock = Stopwatch.StartNew();
        List<InstanceRow> waiting;
        while (true)
        {
            await Task.Delay(PollInterval, cancellationToken);
            waiting = await loops.InstancesAsync(version, "waiting", t0.AddSeconds(-1), cancellationToken);
            if (waiting.Count >= options.Latency)
            {
                break;
            }

            if (clock.Elapsed > TimeSpan.FromMinutes(5))
            {
                throw new BenchException($"latency loop v{version}: only {waiting.Count} of {options.Latency} instances waiting after 5 minutes.");
            }
        }

        // Let the outbox and the message dispatcher go quiet before timing one instance at a time.
        await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
        var latencies = new List<double>();
        var acks = new List<double>();
        var polls = 0;
        foreach (var row in waiting.OrderBy(r => r.CreatedAt))
        {
            var timer = Stopwatch.StartNew();
            await loops.AcknowledgeAsync(row.CaseId, cancellationToken);
            acks.Add(timer.Elapsed.TotalMilliseconds);
            while (true)
            {
                polls++;
                var view = await loops.InstanceAsync(row.Id, cancellationToken);
                if (view.WaitingOn.Contains(Loops.NextWait))
                {
                    break;
                }

                if (timer.Elapsed > TimeSpan.FromSeconds(30))
                {
                    throw new BenchException($"instance {row.Id} did not reach {Loops.NextWait} within 30 s of its acknowledgement (status {view.Status}).");
                }

                await Task.Delay(1, cancellationToken);
            }

            latencies.Add(timer.Elapsed.TotalMilliseconds);
        }

        var sorted = latencies.Order().ToList();
        var line = $"median {Format(Stats.Median(sorted))} ms, p99 {Format(Stats.Percentile(sorted, 99))} ms, max {Format(sorted[^1])} ms; acknowledge answered in {Format(Stats.Median(acks))} ms (median); {polls / (double)sorted.Count:N1} polls per instance";
        Line(provider, $"step latency over {sorted.Count} instances: {line}");
        _latency.Add($"| {provider} | {existing:N0} | {sorted.Count} | **{Format(Stats.Median(sorted))}** | {Format(Stats.Percentile(sorted, 99))} | {Format(sorted[^1])} | {Format(Stats.Median(acks))} |");
    }

    private static string Spread(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? "–" : $"{Format(Stats.Median(sorted))} / {Format(Stats.Percentile(sorted, 99))}";
    }

    private static double LoadAverage() =>
        double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);

    private void Line(Provider provider, string text) => output.WriteLine($"[{provider}] {DateTime.Now:HH:mm:ss} {text}");

    private sealed record Breakdown(double StartLag, double TimerLag, double Lifetime);

    private sealed record Measurement(
        int Version, int Count, double Rate, TimeSpan Posted, TimeSpan LastStarted, TimeSpan LastFinished, TimeSpan Detected,
        double ApiCpuMs, double ServerCpuMs, double MachineCores, double OtherCores, int Astray, List<InstanceRow> Rows, List<Breakdown> Breakdown)
    {
        public string Describe() =>
            $"v{Version}: {Rate:N1} loops/s ({Count} loops; posts answered {Posted.TotalSeconds:N1} s, last started {LastStarted.TotalSeconds:N1} s, "
            + $"last finished {LastFinished.TotalSeconds:N1} s, seen {Detected.TotalSeconds:N1} s; API CPU {ApiCpuMs:N1} ms/loop, DB {ServerCpuMs:N1} ms/loop, machine {MachineCores:N2} cores busy, other work {OtherCores:N2} cores; load {LoadAverage():N1}"
            + (Astray > 0 ? $"; {Astray} items took the default route (rules past their time budget) and are not counted" : "") + ")";
    }
}
