using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ClosedLoop.Api.Tests.Imports;
using ClosedLoop.Api.Tests.Infrastructure;

namespace ClosedLoop.Api.Tests;

/// <summary>
/// Bulk imports through the public API: CSV and JSON lines, bad lines reported with their line numbers,
/// every good row stored exactly once, and an import interrupted by stopping the host finished by the next one.
/// </summary>
public abstract class ImportTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : ApiFactory
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Makes rows long enough for a file of several stored pieces, so rows straddle piece boundaries.</summary>
    private static readonly string Padding = new('.', 100);

    [Fact]
    public async Task Csv_import_of_50000_rows_stores_each_good_row_once_and_reports_bad_lines_with_reasons()
    {
        var source = "csv-" + Guid.NewGuid().ToString("N");
        var special = source + "-special";
        const string tricky = "Late, again, and \"damaged\" 😀\nsecond line\r\nthird: <b>not html</b> &amp; ünïcödé";
        var csv = new CsvBuilder("externalId,Submitted_At,score,comment,Customer External Id,email,region,source,plan");
        var rejected = new List<(long Line, string Field)>();
        var texts = new Dictionary<int, string>();
        long conflictLine = 0;
        for (var i = 1; i <= 50_000; i++)
        {
            var at = Start.AddSeconds(i).ToString("O", CultureInfo.InvariantCulture);
            string Row(string score = "", string comment = "", string customer = "", string email = "", string src = "", string plan = "pro", string id = "") =>
                $"{(id.Length > 0 ? id : $"r{i}")},{at},{score},{comment},{customer},{email},EMEA,{src},{plan}";
            var normal = Row((i % 11).ToString(CultureInfo.InvariantCulture), $"Comment {i}", $"c{i % 2000}", $"c{i % 2000}@example.com");
            switch (i)
            {
                case 100:
                    rejected.Add((csv.Row(Row("eleven", "words", "c1")), "score"));
                    break;
                case 200:
                    rejected.Add((csv.Row(Row("12", customer: "c1")), "score"));
                    break;
                case 300:
                    rejected.Add((csv.Row(Row("5", "no customer")), "customer.externalId"));
                    break;
                case 400:
                    rejected.Add((csv.Row(Row("5", customer: "c1", email: "not-an-email")), "customer.email"));
                    break;
                case 1 or 777:
                    csv.Row(Row((i % 11).ToString(CultureInfo.InvariantCulture), $"Comment {i}", $"c{i}", src: special));
                    break;
                case 500:
                    csv.Row(Row("4", CsvBuilder.Quote(tricky), "c-special", "ada@example.com", special, "enterprise"));
                    break;
                case 600:
                    csv.Row(normal);
                    csv.BlankLine();
                    break;
                case 700:
                    rejected.Add((csv.Row(normal + ",surplus"), "row"));
                    break;
                case 2001:
                    csv.Row(texts[2000]);
                    break;
                case 30_000:
                    csv.Row(texts[1000]);
                    break;
                case 40_000:
                    conflictLine = csv.Row(Row("7", "A different answer", "c1", id: "r5000"));
                    break;
                default:
                    csv.Row(normal);
                    texts[i] = normal;
                    break;
            }
        }

        var ingest = factory.Client(ApiFactory.IngestKey);
        var location = await ImportApi.StartAsync(ingest, ImportApi.Body(csv.ToString(finalNewline: false), "text/csv; charset=utf-8", byteOrderMark: true), $"?source={source}&channel=survey");

        var import = await ImportApi.WaitAsync(ingest, location);

        ImportApi.AssertCounts(import, rowsRead: 50_000, accepted: 49_992, duplicates: 2, conflicts: 1, rejected: 5);
        Assert.Equal("csv", import.GetProperty("format").GetString());
        Assert.Equal(import.GetProperty("totalBytes").GetInt64(), import.GetProperty("bytesProcessed").GetInt64());
        Assert.Equal(100, import.GetProperty("percent").GetDouble());
        Assert.False(import.GetProperty("errorsTruncated").GetBoolean());
        var errors = ImportApi.Errors(import);
        Assert.Equal([.. rejected.Select(r => r.Line), conflictLine], errors.Select(e => e.Line));
        Assert.Equal([.. rejected.Select(_ => "rejected"), "conflict"], errors.Select(e => e.Outcome));
        foreach (var (expected, actual) in rejected.Zip(errors))
        {
            Assert.Contains(expected.Field, JsonDocument.Parse(actual.Reason).RootElement.EnumerateObject().Select(p => p.Name));
        }

        Assert.Contains("different content", errors[^1].Reason);
        var page = await ImportApi.GetAsync(ingest, location + "?errorsPage=2&errorsPageSize=2");
        Assert.Equal(errors.Skip(2).Take(2).Select(e => e.Line), ImportApi.Errors(page).Select(e => e.Line));
        Assert.Equal(6, page.GetProperty("errors").GetProperty("totalCount").GetInt64());
        Assert.Equal(0, await ImportApi.StoredChunksAsync(factory, import.GetProperty("id").GetGuid()));

        var stored = (await ImportApi.FeedbackAsync(factory.Client(ApiFactory.AdminKey), special)).ToDictionary(i => i.GetProperty("externalId").GetString()!);
        Assert.Equal(["r1", "r500", "r777"], stored.Keys.Order());
        var quoted = stored["r500"];
        Assert.Equal(tricky, quoted.GetProperty("comment").GetString());
        Assert.Equal("enterprise", quoted.GetProperty("attributes").GetProperty("plan").GetString());
        Assert.Equal("survey", quoted.GetProperty("channel").GetString());
        Assert.Equal("c-special", quoted.GetProperty("customer").GetProperty("externalId").GetString());
        Assert.Equal("EMEA", quoted.GetProperty("customer").GetProperty("region").GetString());
        Assert.Equal(import.GetProperty("id").GetGuid(), quoted.GetProperty("importId").GetGuid());
        var first = stored["r1"];
        Assert.Equal("Comment 1", first.GetProperty("comment").GetString());
        Assert.Equal(1, first.GetProperty("score").GetInt32());
        Assert.Equal("pro", first.GetProperty("attributes").GetProperty("plan").GetString());
        Assert.Equal(Start.AddSeconds(1), first.GetProperty("submittedAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task Imported_rows_and_posted_items_are_the_same_data_whichever_path_wrote_them()
    {
        // Single posts go through the change tracker, imports in bulk (COPY / prepared INSERT): both must
        // store ids, times, decimals and customers so that either side finds and updates the other's rows.
        var source = "mix-" + Guid.NewGuid().ToString("N");
        var ingest = factory.Client(ApiFactory.IngestKey);
        var reader = factory.Client(ApiFactory.AdminKey);
        var posted = await ingest.PostAsJsonAsync("/api/v1/feedback", new
        {
            source,
            externalId = "posted-1",
            channel = "email",
            submittedAt = Start,
            score = 3,
            customer = new { externalId = source + "-known", region = "EMEA", accountValue = 1234.5m },
        });
        Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
        var known = (await posted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        var csv = new CsvBuilder("externalId,submittedAt,score,comment,customerExternalId,region,accountValue");
        for (var i = 1; i <= 100; i++)
        {
            var customer = i % 2 == 0 ? source + "-known" : $"{source}-new-{i}";
            var at = Start.AddHours(i).ToOffset(TimeSpan.FromHours(2)).ToString("O", CultureInfo.InvariantCulture);
            csv.Row($"imported-{i},{at},{i % 11},Row {i},{customer},{(i == 100 ? "APAC" : "EMEA")},{i}.25");
        }

        var location = await ImportApi.StartAsync(ingest, ImportApi.Body(csv.ToString(finalNewline: true), "text/csv"), $"?source={source}&channel=survey");
        ImportApi.AssertCounts(await ImportApi.WaitAsync(ingest, location), rowsRead: 100, accepted: 100, duplicates: 0, conflicts: 0, rejected: 0);

        var items = (await ImportApi.FeedbackAsync(reader, source)).ToDictionary(i => i.GetProperty("externalId").GetString()!);
        Assert.Equal(101, items.Count);
        var imported = items["imported-7"];
        var byId = await reader.GetFromJsonAsync<JsonElement>($"/api/v1/feedback/{imported.GetProperty("id").GetGuid()}");
        Assert.Equal("Row 7", byId.GetProperty("comment").GetString());
        Assert.Equal(Start.AddHours(7), byId.GetProperty("submittedAt").GetDateTimeOffset());

        var knownCustomer = await reader.GetFromJsonAsync<JsonElement>($"/api/v1/customers/{await CustomerOfAsync(reader, known)}");
        Assert.Equal(51, knownCustomer.GetProperty("feedbackCount").GetInt32());
        Assert.Equal("APAC", knownCustomer.GetProperty("region").GetString());
        Assert.Equal(100.25m, knownCustomer.GetProperty("accountValue").GetDecimal());
        Assert.Equal(Start.AddHours(100), knownCustomer.GetProperty("lastFeedbackAt").GetDateTimeOffset());

        // And the other way round: a single post updates a customer the import created.
        var newCustomer = imported.GetProperty("customer").GetProperty("id").GetGuid();
        var again = await ingest.PostAsJsonAsync("/api/v1/feedback", new
        {
            source,
            externalId = "posted-2",
            channel = "email",
            submittedAt = Start.AddDays(30),
            score = 10,
            customer = new { externalId = $"{source}-new-7" },
        });
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        var updated = await reader.GetFromJsonAsync<JsonElement>($"/api/v1/customers/{newCustomer}");
        Assert.Equal(2, updated.GetProperty("feedbackCount").GetInt32());
        Assert.Equal(10, updated.GetProperty("lastScore").GetInt32());
        Assert.Equal(7.25m, updated.GetProperty("accountValue").GetDecimal());
    }

    private static async Task<Guid> CustomerOfAsync(HttpClient reader, Guid feedbackId) =>
        (await reader.GetFromJsonAsync<JsonElement>($"/api/v1/feedback/{feedbackId}")).GetProperty("customer").GetProperty("id").GetGuid();

    [Fact]
    public async Task Json_lines_import_reports_malformed_and_invalid_lines_and_stores_the_rest()
    {
        var source = "jsonl-" + Guid.NewGuid().ToString("N");
        var other = source + "-other";
        var lines = string.Join("\n",
            """{"externalId":"j1","score":9,"comment":"Great 👍","customer":{"externalId":"jc1"}}""",
            "",
            """{"externalId":"j2","score":"high","customer":{"externalId":"jc2"}}""",
            """{"externalId":"j3","score":5, "customer": {""",
            """{"externalId":"j4","comment":"No score","channel":"chat","customer":{"externalId":"jc4","email":"bad"}}""",
            """{"externalId":"j1","score":9,"comment":"Great 👍","customer":{"externalId":"jc1"}}""",
            $$$"""{"source":"{{{other}}}","externalId":"j5","score":0,"customer":{"externalId":"jc5"},"attributes":{"n":1}}""");
        var ingest = factory.Client(ApiFactory.IngestKey);

        var location = await ImportApi.StartAsync(ingest, ImportApi.Body(lines, "application/x-ndjson"), $"?source={source}");
        var import = await ImportApi.WaitAsync(ingest, location);

        ImportApi.AssertCounts(import, rowsRead: 6, accepted: 2, duplicates: 1, conflicts: 0, rejected: 3);
        Assert.Equal("jsonLines", import.GetProperty("format").GetString());
        var errors = ImportApi.Errors(import);
        Assert.Equal([3L, 4L, 5L], errors.Select(e => e.Line));
        Assert.All(errors, e => Assert.Equal("rejected", e.Outcome));
        Assert.Contains("score", errors[0].Reason);
        Assert.Contains("not a valid feedback item", errors[1].Reason, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("customer.email", errors[2].Reason);
        var reader = factory.Client(ApiFactory.AdminKey);
        var first = Assert.Single(await ImportApi.FeedbackAsync(reader, source));
        Assert.Equal("Great 👍", first.GetProperty("comment").GetString());
        Assert.Equal("other", first.GetProperty("channel").GetString());
        var second = Assert.Single(await ImportApi.FeedbackAsync(reader, other));
        Assert.Equal(1, second.GetProperty("attributes").GetProperty("n").GetInt32());
    }

    [Fact]
    public async Task Csv_edge_cases_reject_only_the_broken_rows_and_an_ambiguous_header_fails_the_import()
    {
        var source = "edge-" + Guid.NewGuid().ToString("N");
        var file = string.Join("\n",
            "externalId,score,comment,customer.externalId,Customer_Email",
            "e1,5,\"ok\",ce1,",
            "e2,5,\"bad\"x,ce2,",
            "e3,5,fine,ce3,a@example.com",
            "e4,5,\"never closed,ce4,",
            "e5,6,after the broken row,ce5,") + "\n";
        var ingest = factory.Client(ApiFactory.IngestKey);

        var import = await ImportApi.WaitAsync(ingest, await ImportApi.StartAsync(ingest, ImportApi.Body(file, "application/csv"), $"?source={source}"));

        ImportApi.AssertCounts(import, rowsRead: 5, accepted: 3, duplicates: 0, conflicts: 0, rejected: 2);
        var errors = ImportApi.Errors(import);
        Assert.Equal([3L, 5L], errors.Select(e => e.Line));
        Assert.Contains("closing quote", errors[0].Reason);
        Assert.Contains("never closed", errors[1].Reason);
        var stored = await ImportApi.FeedbackAsync(factory.Client(ApiFactory.AdminKey), source);
        Assert.Equal(["e1", "e3", "e5"], stored.Select(i => i.GetProperty("externalId").GetString()).Order());

        var ambiguous = ImportApi.Body("externalId,email,customer.email\nx1,a@example.com,b@example.com\n", "text/csv");
        var failed = await ImportApi.WaitAsync(ingest, await ImportApi.StartAsync(ingest, ambiguous), expected: "failed");
        Assert.Contains("customer.email", failed.GetProperty("lastError").GetString());
        Assert.Equal(0, failed.GetProperty("rowsRead").GetInt64());
    }

    [Fact]
    public async Task An_import_interrupted_by_stopping_the_host_is_finished_by_the_next_host_with_exact_counts()
    {
        await using var database = await SharedDatabase.CreateAsync(factory.Provider);
        var source = "restart-" + Guid.NewGuid().ToString("N");
        var csv = new CsvBuilder("externalId,score,comment,customerId");
        for (var i = 1; i <= 20_000; i++)
        {
            csv.Row(i switch
            {
                5_000 => $"r{i},eleven,x,c{i}",
                15_000 => $"r10,10,Comment 10 {Padding},c10",
                17_500 => "r20,1,Changed,c20",
                _ => $"r{i},{i % 11},Comment {i} {Padding},c{i % 500}",
            });
        }

        var file = csv.ToString(finalNewline: true);
        var pieces = (Encoding.UTF8.GetByteCount(file) + (1 << 20) - 1) >> 20;
        Assert.True(pieces > 1);
        string location;
        var first = database.Host(new Dictionary<string, string?> { ["Imports:ChunkSize"] = "50" });
        await using (first)
        {
            var ingest = first.Client(ApiFactory.IngestKey);
            location = await ImportApi.StartAsync(ingest, ImportApi.Body(file, "text/csv"), $"?source={source}");
            var deadline = DateTime.UtcNow + ImportApi.Patience;
            while (true)
            {
                var progress = await ImportApi.GetAsync(ingest, location);
                Assert.NotEqual("completed", progress.GetProperty("status").GetString());
                if (progress.GetProperty("status").GetString() == "running" && progress.GetProperty("rowsRead").GetInt64() > 0)
                {
                    break;
                }

                Assert.True(DateTime.UtcNow < deadline, $"The import never started: {progress}");
                await Task.Delay(20);
            }
        }

        long acceptedBefore;
        await using (var stopped = database.Host(new Dictionary<string, string?> { ["Imports:WorkerEnabled"] = "false" }))
        {
            var halfway = await ImportApi.GetAsync(stopped.Client(ApiFactory.IngestKey), location);
            Assert.Equal("running", halfway.GetProperty("status").GetString());
            var read = halfway.GetProperty("rowsRead").GetInt64();
            Assert.InRange(read, 1, 19_999);
            acceptedBefore = halfway.GetProperty("accepted").GetInt64();
            Assert.Equal(read, new[] { "accepted", "duplicates", "conflicts", "rejected" }.Sum(p => halfway.GetProperty(p).GetInt64()));
            Assert.Equal(acceptedBefore, (await ImportApi.FeedbackAsync(stopped.Client(ApiFactory.AdminKey), source)).Count);
            var id = halfway.GetProperty("id").GetGuid();
            Assert.Equal(pieces, await ImportApi.StoredChunksAsync(stopped, id));
            await ImportApi.LeaseToVanishedWorkerAsync(stopped, id, DateTimeOffset.UtcNow.AddSeconds(2));
        }

        await using var next = database.Host();
        var import = await ImportApi.WaitAsync(next.Client(ApiFactory.IngestKey), location);
        Assert.Equal(0, await ImportApi.StoredChunksAsync(next, import.GetProperty("id").GetGuid()));

        ImportApi.AssertCounts(import, rowsRead: 20_000, accepted: 19_997, duplicates: 1, conflicts: 1, rejected: 1);
        Assert.Equal([5_001L, 17_501L], ImportApi.Errors(import).Select(e => e.Line));
        var items = await ImportApi.FeedbackAsync(next.Client(ApiFactory.AdminKey), source);
        Assert.Equal(19_997, items.Count);
        Assert.Equal(items.Count, items.Select(i => i.GetProperty("externalId").GetString()).Distinct().Count());
        Assert.True(acceptedBefore < items.Count);
    }

    [Fact]
    public async Task Every_chunk_sees_what_the_chunk_before_it_stored_even_with_single_posts_racing_the_import()
    {
        // Small chunks over few customers: each chunk updates the customers the chunk before it updated (it is
        // staged while that one still writes), repeats a row of that chunk, and single posts for the same customers
        // race both. Every customer's count, last score and attributes must come out exact.
        await using var database = await SharedDatabase.CreateAsync(factory.Provider);
        await using var host = database.Host(new Dictionary<string, string?> { ["Imports:ChunkSize"] = "40" });
        var source = "ahead-" + Guid.NewGuid().ToString("N");
        var customers = Enumerable.Range(0, 10).Select(c => $"{source}-c{c}").ToArray();
        var csv = new CsvBuilder("externalId,submittedAt,score,comment,customerId,region");
        var imported = customers.ToDictionary(c => c, _ => 0);
        var last = new Dictionary<string, (int Score, string Region, DateTimeOffset At)>();
        var previous = "";
        const int Rows = 1_200;
        for (var i = 1; i <= Rows; i++)
        {
            if (i % 40 == 1 && i > 1)
            {
                // The first row of every chunk repeats the last row of the chunk before it.
                csv.Row(previous);
                continue;
            }

            var (customer, at, region) = (customers[i % customers.Length], Start.AddMinutes(i), i % 3 == 0 ? "APAC" : "EMEA");
            previous = $"r{i},{at.ToString("O", CultureInfo.InvariantCulture)},{i % 11},Row {i},{customer},{region}";
            csv.Row(previous);
            imported[customer]++;
            last[customer] = (i % 11, region, at);
        }

        var ingest = host.Client(ApiFactory.IngestKey);
        var location = await ImportApi.StartAsync(ingest, ImportApi.Body(csv.ToString(finalNewline: true), "text/csv"), $"?source={source}");
        const int PostsPerCustomer = 8;
        await Parallel.ForEachAsync(Enumerable.Range(0, PostsPerCustomer * customers.Length), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (p, cancellationToken) =>
        {
            // Submitted before every imported row, so they never win the customer's latest attributes or score.
            var item = FeedbackBuilder.Item(source + "-posted", $"p{p}", score: 10, customer: customers[p % customers.Length], submittedAt: Start.AddDays(-1).AddMinutes(p))
                .With("customer.region", "LATAM");
            var response = await ingest.PostAsJsonAsync("/api/v1/feedback", item, cancellationToken);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        });

        var import = await ImportApi.WaitAsync(ingest, location);
        ImportApi.AssertCounts(import, rowsRead: Rows, accepted: Rows - (Rows / 40 - 1), duplicates: Rows / 40 - 1, conflicts: 0, rejected: 0);
        var reader = host.Client(ApiFactory.AdminKey);
        var items = await ImportApi.FeedbackAsync(reader, source);
        Assert.Equal(Rows - (Rows / 40 - 1), items.Count);
        foreach (var group in items.GroupBy(i => (Id: i.GetProperty("customer").GetProperty("id").GetGuid(), ExternalId: i.GetProperty("customer").GetProperty("externalId").GetString()!)))
        {
            var customer = await reader.GetFromJsonAsync<JsonElement>($"/api/v1/customers/{group.Key.Id}");
            Assert.Equal(imported[group.Key.ExternalId], group.Count());
            Assert.Equal(imported[group.Key.ExternalId] + PostsPerCustomer, customer.GetProperty("feedbackCount").GetInt32());
            Assert.Equal(last[group.Key.ExternalId].Score, customer.GetProperty("lastScore").GetInt32());
            Assert.Equal(last[group.Key.ExternalId].Region, customer.GetProperty("region").GetString());
            Assert.Equal(last[group.Key.ExternalId].At, customer.GetProperty("lastFeedbackAt").GetDateTimeOffset());
            Assert.Equal(Start.AddDays(-1).AddMinutes(customers.AsSpan().IndexOf(group.Key.ExternalId)), customer.GetProperty("firstSeenAt").GetDateTimeOffset());
        }
    }

    [Fact]
    public async Task Bad_uploads_and_callers_get_problems()
    {
        var ingest = factory.Client(ApiFactory.IngestKey);
        const string csv = "externalId,score,customerId\nb1,5,c1\n";

        var plain = await ingest.PostAsync("/api/v1/imports", ImportApi.Body(csv, "text/plain"));
        await plain.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
        var latin = await ingest.PostAsync("/api/v1/imports", ImportApi.Body(csv, "text/csv; charset=iso-8859-1"));
        await latin.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
        var empty = await ingest.PostAsync("/api/v1/imports", ImportApi.Body("", "text/csv"));
        Assert.Contains("body", (await empty.AssertProblemAsync(HttpStatusCode.UnprocessableEntity)).ErrorFields());
        var channel = await ingest.PostAsync("/api/v1/imports?channel=pigeon", ImportApi.Body(csv, "text/csv"));
        Assert.Contains("channel", (await channel.AssertProblemAsync(HttpStatusCode.UnprocessableEntity)).ErrorFields());
        var paging = await ingest.GetAsync($"/api/v1/imports/{Guid.NewGuid()}?errorsPageSize=501");
        Assert.Contains("errorsPageSize", (await paging.AssertProblemAsync(HttpStatusCode.UnprocessableEntity)).ErrorFields());
        var missing = await ingest.GetAsync($"/api/v1/imports/{Guid.NewGuid()}");
        await missing.AssertProblemAsync(HttpStatusCode.NotFound);

        var agent = factory.Client(ApiFactory.AgentKey);
        await (await agent.PostAsync("/api/v1/imports", ImportApi.Body(csv, "text/csv"))).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await agent.GetAsync($"/api/v1/imports/{Guid.NewGuid()}")).AssertProblemAsync(HttpStatusCode.Forbidden);
        var anonymous = factory.Client(null);
        await (await anonymous.PostAsync("/api/v1/imports", ImportApi.Body(csv, "text/csv"))).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await anonymous.GetAsync($"/api/v1/imports/{Guid.NewGuid()}")).AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Swagger_says_how_to_upload_and_poll()
    {
        var document = JsonDocument.Parse(await factory.Client(null).GetStringAsync("/swagger/v1/swagger.json")).RootElement;
        var post = document.GetProperty("paths").GetProperty("/api/v1/imports").GetProperty("post");

        var description = post.GetProperty("description").GetString()!;
        Assert.Contains("Location", description);
        Assert.Contains("curl", description);
        Assert.Contains("completed", description);
        var content = post.GetProperty("requestBody").GetProperty("content");
        Assert.True(content.TryGetProperty("text/csv", out _));
        Assert.True(content.TryGetProperty("application/x-ndjson", out _));
        Assert.True(post.GetProperty("responses").TryGetProperty("202", out _));
    }
}

public sealed class SqliteImportTests(SqliteApiFactory factory) : ImportTests<SqliteApiFactory>(factory);

public sealed class PostgresImportTests(PostgresApiFactory factory) : ImportTests<PostgresApiFactory>(factory);
