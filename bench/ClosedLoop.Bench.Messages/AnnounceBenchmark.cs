using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClosedLoop.Bench.Hosting;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ClosedLoop.Bench.Messages;

/// <summary>
/// An improvement announced to N affected customers through the API (a separate Release process on a fresh
/// database): the time from <c>POST …/announce</c> until the announcement completes, the API's resident memory
/// sampled throughout, and — the baseline, in the same run — a raw insert of the very rows the announcement wrote
/// (its messages and recipients, read back), in transactions of the same 500 rows, with plain ADO.NET.
/// </summary>
internal sealed class AnnounceBenchmark(Provider provider, int customers, TextWriter output)
{
    private const int Batch = 5_000;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await using var database = await BenchDatabase.StartAsync(provider, cancellationToken);
        var connectionString = await database.CreateAsync("announce", cancellationToken);
        var options = new ApiOptions(null, RateLimiting: false, new Dictionary<string, string>(), Verbose: false);
        await using var api = await ApiProcess.StartAsync(options, provider, connectionString, cancellationToken);
        using var ingest = BenchHttp.Create(api.BaseAddress, 4, TimeSpan.FromMinutes(10));
        using var admin = BenchHttp.Create(api.BaseAddress, 4, TimeSpan.FromMinutes(10), BenchHttp.AdminKey);

        var from = new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);
        var ingested = Stopwatch.StartNew();
        for (var start = 0; start < customers; start += Batch)
        {
            var items = new JsonArray([.. Enumerable.Range(start, Math.Min(Batch, customers - start)).Select(i => (JsonNode)Item(i, from))]);
            var response = await ingest.PostAsJsonAsync("api/v1/feedback/batch", items, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new BenchException($"Batch at {start}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
            }
        }

        output.WriteLine($"{provider}: {customers:N0} customers' feedback ingested in {ingested.Elapsed.TotalSeconds:0} s.");

        var created = await admin.PostAsJsonAsync("api/v1/improvements", new { title = "Faster parcels", description = "Parcels now go with two couriers.", topics = new[] { "delivery" }, effectiveDate = "2026-12-01" }, cancellationToken);
        var improvement = (await created.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetGuid();

        // Let the ingest's aftermath (routing events, cases) settle so the announcement is measured alone.
        await Task.Delay(TimeSpan.FromSeconds(20), cancellationToken);
        var rss = new List<long>();
        var before = ResidentBytes(api.ProcessId);
        var watch = Stopwatch.StartNew();
        var announce = await admin.PostAsJsonAsync($"api/v1/improvements/{improvement}/announce", new { from, to = from.AddDays(30) }, cancellationToken);
        if (!announce.IsSuccessStatusCode)
        {
            throw new BenchException($"Announce: {(int)announce.StatusCode} {await announce.Content.ReadAsStringAsync(cancellationToken)}");
        }

        JsonElement state;
        while (true)
        {
            rss.Add(ResidentBytes(api.ProcessId));
            state = await admin.GetFromJsonAsync<JsonElement>($"api/v1/improvements/{improvement}", cancellationToken);
            var status = state.GetProperty("announcements")[0].GetProperty("status").GetString();
            if (status is "completed" or "failed")
            {
                break;
            }

            // Once a second: the count behind each GET is itself work for the API's two cores.
            await Task.Delay(1000, cancellationToken);
        }

        var elapsed = watch.Elapsed;
        var total = state.GetProperty("counts").GetProperty("total").GetInt32();
        if (total != customers)
        {
            throw new BenchException($"The announcement wrote {total} messages for {customers} customers: {state}");
        }

        var raw = await RawInsertAsync(connectionString, improvement, cancellationToken);
        var mib = 1024.0 * 1024;
        output.WriteLine($"| {provider} | {customers:N0} | {elapsed.TotalSeconds:0.0} s ({customers / elapsed.TotalSeconds:N0} customers/s) | {raw.TotalSeconds:0.0} s | {elapsed / raw:0.00}× | {before / mib:0} MiB | {rss.Max() / mib:0} MiB | {rss[^1] / mib:0} MiB |");
    }

    private static JsonObject Item(int i, DateTimeOffset from) => new()
    {
        ["source"] = "bench",
        ["externalId"] = "a-" + i.ToString(CultureInfo.InvariantCulture),
        ["channel"] = "email",
        ["submittedAt"] = from.AddSeconds(i % 86_400).ToString("O"),
        ["score"] = 8,
        ["comment"] = "The parcel took a while to arrive.",
        ["customer"] = new JsonObject
        {
            ["externalId"] = "cust-" + i.ToString("D7", CultureInfo.InvariantCulture),
            ["email"] = $"customer{i}@example.com",
            ["name"] = "Customer " + i.ToString(CultureInfo.InvariantCulture),
            ["language"] = i % 3 == 0 ? "de" : "en",
        },
    };

    /// <summary>Reads back the rows the announcement wrote and inserts copies of them into empty tables of the same shape.</summary>
    private async Task<TimeSpan> RawInsertAsync(string connectionString, Guid improvement, CancellationToken cancellationToken)
    {
        await using var connection = provider == Provider.PostgreSql ? (DbConnection)new NpgsqlConnection(connectionString) : new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        var (messages, recipients) = provider == Provider.PostgreSql
            ? ("communication.messages", "communication.improvement_recipients")
            : ("communication_messages", "communication_improvement_recipients");
        var id = provider == Provider.PostgreSql ? (object)improvement : improvement.ToString().ToUpperInvariant();
        var messageRows = await ReadAsync(connection, $"SELECT * FROM {messages} WHERE \"ImprovementId\" = @id", id, cancellationToken);
        var recipientRows = await ReadAsync(connection, $"SELECT * FROM {recipients} WHERE \"ImprovementId\" = @id", id, cancellationToken);
        if (messageRows.Rows.Count != customers)
        {
            throw new BenchException($"Read back {messageRows.Rows.Count} messages, expected {customers} (id format?).");
        }

        await ExecuteAsync(connection, $"CREATE TABLE bench_messages AS SELECT * FROM {messages} WHERE 1 = 0", cancellationToken);
        await ExecuteAsync(connection, $"CREATE TABLE bench_recipients AS SELECT * FROM {recipients} WHERE 1 = 0", cancellationToken);
        var watch = Stopwatch.StartNew();
        for (var start = 0; start < customers; start += 500)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await InsertAsync(connection, transaction, "bench_messages", messageRows, start, 500, cancellationToken);
            await InsertAsync(connection, transaction, "bench_recipients", recipientRows, start, 500, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        return watch.Elapsed;
    }

    private sealed record Table(IReadOnlyList<string> Columns, List<object?[]> Rows);

    private static async Task<Table> ReadAsync(DbConnection connection, string sql, object id, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var parameter = command.CreateParameter();
        parameter.ParameterName = "id";
        parameter.Value = id;
        command.Parameters.Add(parameter);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var values = new object?[reader.FieldCount];
            reader.GetValues(values!);
            rows.Add(values);
        }

        return new Table(columns, rows);
    }

    /// <summary>Parameterised INSERTs: 50 rows a statement on PostgreSQL, one row a statement on SQLite.</summary>
    private static async Task InsertAsync(DbConnection connection, DbTransaction transaction, string table, Table rows, int start, int count, CancellationToken cancellationToken)
    {
        var chunk = rows.Rows.Skip(start).Take(count).ToList();
        if (chunk.Count == 0)
        {
            return;
        }

        // PostgreSQL: 50 rows per statement, as an ORM batches. SQLite: one prepared single-row statement executed per
        // row, its fastest form (it binds parameters by name in linear time, so multi-row statements measure that).
        var perStatement = connection is SqliteConnection ? 1 : 50;
        foreach (var part in chunk.Chunk(perStatement))
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            var columns = string.Join(", ", rows.Columns.Select(c => $"\"{c}\""));
            var values = new List<string>(part.Length);
            for (var r = 0; r < part.Length; r++)
            {
                var names = new List<string>(rows.Columns.Count);
                for (var c = 0; c < rows.Columns.Count; c++)
                {
                    var parameter = command.CreateParameter();
                    parameter.ParameterName = $"p{r}_{c}";
                    parameter.Value = part[r][c] ?? DBNull.Value;
                    command.Parameters.Add(parameter);
                    names.Add("@" + parameter.ParameterName);
                }

                values.Add("(" + string.Join(", ", names) + ")");
            }

            command.CommandText = $"INSERT INTO {table} ({columns}) VALUES {string.Join(", ", values)}";
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static async Task ExecuteAsync(DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The process's resident set (VmRSS), in bytes.</summary>
    private static long ResidentBytes(int processId)
    {
        foreach (var line in File.ReadLines($"/proc/{processId}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }
}
