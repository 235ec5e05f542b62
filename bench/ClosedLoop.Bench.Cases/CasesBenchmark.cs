using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using ClosedLoop.Bench.Cases.Plans;
using ClosedLoop.Bench.Cases.Queries;
using ClosedLoop.Bench.Cases.Seeding;
using ClosedLoop.Bench.Hosting;

namespace ClosedLoop.Bench.Cases;

/// <summary>
/// Per provider: a fresh database migrated and seeded with teams by the API itself; a million cases bulk-loaded into
/// its tables; a capture pass (the API with its SQL logged and, on PostgreSQL, every plan it ran) that checks each
/// page against the hand-written SQL and records the plans; then a timed pass against a fresh API process, in rounds
/// over every query, API over HTTP and SQL one call at a time alternating, then (unless --block 0) in blocks of
/// back-to-back calls; medians compared per mode.
/// </summary>
internal sealed class CasesBenchmark(CasesBenchOptions options, TextWriter output)
{
    private const string Database = "closedloop_cases";
    private static readonly string[] ExtraTeams = ["cx-enterprise", "product-feedback", "retention"];

    private readonly List<string[]> _rows = [];
    private readonly List<string> _statements = [];

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        output.WriteLine("# ClosedLoop bench: cases list");
        output.WriteLine($"machine: {Environment.ProcessorCount} cores, {memory:0} GB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}");
        output.WriteLine($"{options.Cases:N0} cases; page size {ListQuery.PageSize}; warm-up: {options.Warmup} rounds and at least {options.WarmupTime.TotalSeconds:N0} s; "
            + $"{options.Repetitions} timed rounds over every query, API and SQL alternating one call at a time"
            + (options.Block > 0 ? $", then {options.Repetitions} rounds of blocks of {options.Block} back-to-back calls" : "") + " (medians); "
            + $"SQLite page cache {options.SqliteCacheMiB} MiB per connection, the API's and the SQL's");
        var total = Stopwatch.StartNew();
        foreach (var provider in options.Providers)
        {
            await RunProviderAsync(provider, cancellationToken);
        }

        output.WriteLine();
        output.WriteLine("Endpoint: what the API reports in Server-Timing for the endpoint itself (its statements, the topics, the mapping; not HTTP, not the JSON body).");
        output.WriteLine();
        output.WriteLine("| provider | query | API ms, one at a time | SQL ms | API ÷ SQL | endpoint ms | endpoint ÷ SQL | API ms, back to back | SQL ms | API ÷ SQL | endpoint ms | endpoint ÷ SQL | API CPU ms per call | bench CPU ms per SQL call | plan of the API's statement | full scan | cases rows read | same page |");
        output.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var row in _rows)
        {
            output.WriteLine("| " + string.Join(" | ", row) + " |");
        }

        output.WriteLine();
        output.WriteLine("The API's statements (select list shortened):");
        _statements.ForEach(output.WriteLine);
        output.WriteLine($"whole run: {total.Elapsed.TotalMinutes:N1} min");
    }

    private async Task RunProviderAsync(Provider provider, CancellationToken cancellationToken)
    {
        var planLog = new PostgresPlanLog();
        await using var databases = await BenchDatabase.StartAsync(provider, provider == Provider.PostgreSql ? planLog.Add : null, cancellationToken);
        var connectionString = await databases.CreateAsync(Database, cancellationToken);
        Line(provider, databases.Description);

        // 1. The API migrates the empty database and seeds its teams; three more teams make ten, two of them with the
        //    agent of the agent's query as a member.
        await using (var api = await ApiProcess.StartAsync(options.Api, provider, connectionString, cancellationToken))
        {
            using var http = BenchHttp.Create(api.BaseAddress, 1, TimeSpan.FromSeconds(30), BenchHttp.AdminKey);
            foreach (var key in ExtraTeams)
            {
                var members = ListQuery.AgentTeams.TryGetValue(key, out var level) ? new[] { new { userId = ListQuery.Agent, name = "Bench agent", level } } : [];
                using var response = await http.PostAsJsonAsync(new Uri("api/v1/teams", UriKind.Relative), new { key, name = $"Team {key}", timeZone = "UTC", members }, cancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    throw new BenchException($"POST /api/v1/teams answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
                }
            }
        }

        // 2. A million cases, straight into the tables.
        var teams = await new CasesSchema(provider).ReadTeamsAsync(connectionString, cancellationToken);
        var faker = new CaseFaker(options.Seed, DateTimeOffset.UtcNow, teams);
        var seed = provider == Provider.Sqlite
            ? await SqliteSeeder.SeedAsync(connectionString, faker, options.Cases, line => Line(provider, line), cancellationToken)
            : await PostgresSeeder.SeedAsync(connectionString, faker, options.Cases, line => Line(provider, line), cancellationToken);
        Line(provider, $"seeded {seed.Cases:N0} cases and {seed.Topics:N0} topics in {seed.Total.TotalSeconds:N0} s (load {seed.Load.TotalSeconds:N0} s, "
            + $"{seed.IndexCount} secondary indexes {seed.Indexes.TotalSeconds:N0} s, {(provider == Provider.Sqlite ? "ANALYZE + PRAGMA optimize" : "VACUUM ANALYZE")} {seed.Analyze.TotalSeconds:N0} s; not measured)"
            + (seed.LeftNull.Count > 0 ? $"; WARNING columns left NULL: {string.Join(", ", seed.LeftNull)}" : ""));

        var emea = teams.Single(t => t.Key == "cx-emea");
        var queries = ListQuery.All(emea.Key, emea.Agents[2], faker.BigCustomer, CaseFaker.TopicForQueries, options.DeepPages)
            .Where(q => options.Only.Count == 0 || options.Only.Contains(q.Key)).ToList();
        var sql = new HandWrittenSql(provider, connectionString, options.SqliteCacheMiB);

        // 3. Capture: the SQL the API sends, the plan it gets, and whether its page is the hand-written SQL's page.
        var captures = new Dictionary<string, CapturedQuery>(StringComparer.Ordinal);
        var captureApi = options.Api.With(new Dictionary<string, string> { [EfCommandLog.LogLevelSetting] = "Information" });
        var apiConnection = provider == Provider.PostgreSql ? PostgresPlanLog.WithAutoExplain(connectionString) : connectionString;
        await using (var api = await ApiProcess.StartAsync(captureApi, provider, apiConnection, cancellationToken))
        {
            using var http = BenchHttp.Create(api.BaseAddress, 1, TimeSpan.FromMinutes(2), BenchHttp.AdminKey);
            using var agent = BenchHttp.Create(api.BaseAddress, 1, TimeSpan.FromMinutes(2), BenchHttp.AgentKey);
            var capture = new PageCapture(provider, new ApiLister(http, agent), new EfCommandLog(api.LogPath), planLog, sql, connectionString, options.DeepPages);
            foreach (var query in queries)
            {
                var captured = captures[query.Key] = await capture.CaptureAsync(query, cancellationToken);
                Line(provider, $"{query.Label}: {captured.ApiPage.Ids.Count} cases, {captured.ApiPage.Bytes:N0} bytes; same page as SQL: {(captured.Same ? "yes" : "NO")}; "
                    + $"plan: {captured.Verdict?.Describe() ?? "not captured"} ({captured.Verdict?.RowsText ?? "–"} rows); hand-written SQL's plan: {captured.SqlPlan.Describe()} ({captured.SqlPlan.RowsText} rows)");
            }
        }

        // 4. Timed: a fresh API without logging, warmed up, then rounds.
        await using (var api = await ApiProcess.StartAsync(options.Api, provider, connectionString, cancellationToken))
        {
            using var http = BenchHttp.Create(api.BaseAddress, 1, TimeSpan.FromMinutes(2), BenchHttp.AdminKey);
            using var agent = BenchHttp.Create(api.BaseAddress, 1, TimeSpan.FromMinutes(2), BenchHttp.AgentKey);
            using var apiProcess = System.Diagnostics.Process.GetProcessById(api.ProcessId);
            var rounds = new Rounds(http, new ApiLister(http, agent), sql, queries, captures, apiProcess);
            await rounds.WarmUpAsync(options.Warmup, options.WarmupTime, cancellationToken);
            await rounds.MeasureOneAtATimeAsync(options.Repetitions, cancellationToken);
            if (options.Block > 0)
            {
                await rounds.MeasureBackToBackAsync(options.Repetitions, options.Block, cancellationToken);
            }

            Line(provider, $"measured; 1-minute load average during the rounds {rounds.LoadAverage:N1} (median; this run's API, database and driver account for about 1-2 of it)");
            Report(provider, rounds, queries, captures);
            if (options.HoldSeconds > 0)
            {
                Line(provider, $"holding: API pid {api.ProcessId} at {api.BaseAddress}, idle, for {options.HoldSeconds} s");
                await Task.Delay(TimeSpan.FromSeconds(options.HoldSeconds), cancellationToken);
            }
        }
    }

    private void Report(Provider provider, Rounds rounds, IReadOnlyList<ListQuery> queries, Dictionary<string, CapturedQuery> captures)
    {
        var blocks = options.Block > 0;
        var (alive, aliveBlock) = (Stats.Median(rounds.OneAtATime.Alive), Stats.Median(rounds.BackToBack.Alive));
        var cpu = rounds.BackToBack;
        Line(provider, $"GET /alive: median {Ms(alive)} ms one at a time" + (blocks ? $", {Ms(aliveBlock)} ms back to back, API CPU {Ms(cpu.CpuPerCall("alive"))} ms per call" : ""));
        _rows.Add([provider.ToString(), "GET /alive (no database: the HTTP floor)", Ms(alive), "–", "–", "–", "–", blocks ? Ms(aliveBlock) : "–", "–", "–", "–", "–", blocks ? Ms(cpu.CpuPerCall("alive")) : "–", "–", "–", "–", "–", "–"]);
        foreach (var query in queries)
        {
            var captured = captures[query.Key];
            var (api, sql) = Medians(rounds.OneAtATime, query.Key);
            var (apiBlock, sqlBlock) = Medians(rounds.BackToBack, query.Key);
            var (server, serverBlock) = (Stats.Median(rounds.OneAtATime.Server[query.Key]), Stats.Median(rounds.BackToBack.Server[query.Key]));
            Line(provider, $"{query.Label}: one at a time API {Ms(api)} ms (endpoint {Ms(server)}), SQL {Ms(sql)} ms, ratio {Ratio(api, sql)} (endpoint {Ratio(server, sql)})"
                + (blocks ? $"; back to back API {Ms(apiBlock)} ms (endpoint {Ms(serverBlock)}), SQL {Ms(sqlBlock)} ms, ratio {Ratio(apiBlock, sqlBlock)} (endpoint {Ratio(serverBlock, sqlBlock)}); "
                    + $"CPU per call: API process {Ms(cpu.CpuPerCall("api " + query.Key))} ms, bench process for the SQL {Ms(cpu.CpuPerCall("sql " + query.Key))} ms" : ""));
            var verdict = captured.Verdict;
            _rows.Add(
            [
                provider.ToString(),
                query.Label,
                Ms(api),
                Ms(sql),
                Ratio(api, sql),
                Ms(server),
                Ratio(server, sql),
                blocks ? Ms(apiBlock) : "–",
                blocks ? Ms(sqlBlock) : "–",
                blocks ? Ratio(apiBlock, sqlBlock) : "–",
                blocks ? Ms(serverBlock) : "–",
                blocks ? Ratio(serverBlock, sqlBlock) : "–",
                blocks ? Ms(cpu.CpuPerCall("api " + query.Key)) : "–",
                blocks ? Ms(cpu.CpuPerCall("sql " + query.Key)) : "–",
                verdict?.Describe() ?? "not captured",
                verdict is null ? "?" : verdict.FullScan || captured.OtherFullScan ? "**yes**" : "no",
                verdict?.RowsText ?? "–",
                captured.Same ? "yes" : "**no**",
            ]);
            _statements.Add($"- {provider} {query.Label}: {PageCapture.Shorten(captured.ApiSql)}");
        }
    }

    private static (double Api, double Sql) Medians(Timings timings, string key) => (Stats.Median(timings.Api[key]), Stats.Median(timings.Sql[key]));

    private static string Ratio(double api, double sql) => (api / sql).ToString("N2", CultureInfo.InvariantCulture);

    private static string Ms(double value) => double.IsNaN(value) ? "?" : value.ToString(value < 10 ? "N2" : "N1", CultureInfo.InvariantCulture);

    private void Line(Provider provider, string text) => output.WriteLine($"[{provider}] {text}");
}
