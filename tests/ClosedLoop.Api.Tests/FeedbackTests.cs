using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClosedLoop.Api.Tests.Infrastructure;

namespace ClosedLoop.Api.Tests;

/// <summary>POST /api/v1/feedback and its batch: validated, classified, stored once, as sent.</summary>
public abstract class FeedbackTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : ApiFactory
{
    private readonly HttpClient _ingest = factory.Client(ApiFactory.IngestKey);
    private readonly HttpClient _reader = factory.Client(ApiFactory.AnalystKey);

    public static TheoryData<string, string, string?> InvalidItems => new()
    {
        // field to change, JSON value (null = remove the field), field expected in errors
        { "source", "null", "source" },
        { "source", "\"" + new string('s', 101) + "\"", "source" },
        { "externalId", "\"" + new string('e', 201) + "\"", "externalId" },
        { "channel", "\"fax\"", "channel" },
        { "channel", "null", "channel" },
        { "score", "-1", "score" },
        { "score", "11", "score" },
        { "comment", "\"" + new string('c', 10_001) + "\"", "comment" },
        { "submittedAt", "\"2099-01-01T00:00:00Z\"", "submittedAt" },
        { "submittedAt", "\"1999-12-31T00:00:00Z\"", "submittedAt" },
        { "customer", "null", "customer" },
        { "customer.externalId", "null", "customer.externalId" },
        { "customer.externalId", "\"   \"", "customer.externalId" },
        { "customer.email", "\"not-an-email\"", "customer.email" },
        { "customer.email", "\"ada@localhost\"", "customer.email" },
        { "customer.email", "\"Ada <ada@example.com>\"", "customer.email" },
        { "customer.language", "\"english please\"", "customer.language" },
        { "customer.accountValue", "-5", "customer.accountValue" },
        { "attributes.nested", "{\"a\":1}", "attributes.nested" },
    };

    [Theory]
    [MemberData(nameof(InvalidItems))]
    public async Task Each_invalid_field_is_a_422_naming_it_and_nothing_is_stored(string field, string json, string? expected)
    {
        var source = FeedbackBuilder.NewSource();
        var item = FeedbackBuilder.Item(source).With(field, JsonNode.Parse(json));

        var response = await _ingest.PostItemAsync(item);

        var problem = await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal([expected!], problem.ErrorFields());
        Assert.Empty(await _reader.AllAsync($"source={source}"));
    }

    [Fact]
    public async Task Score_or_comment_is_required()
    {
        var item = FeedbackBuilder.Item(FeedbackBuilder.NewSource(), score: null, comment: "  ");

        var problem = await (await _ingest.PostItemAsync(item)).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);

        Assert.Contains("score or comment", problem.GetProperty("errors").GetProperty("score")[0].GetString());
    }

    [Fact]
    public async Task Too_many_attributes_are_rejected()
    {
        var attributes = new JsonObject();
        for (var i = 0; i < 51; i++)
        {
            attributes[$"a{i}"] = i;
        }

        var item = FeedbackBuilder.Item(FeedbackBuilder.NewSource()).With("attributes", attributes);

        var problem = await (await _ingest.PostItemAsync(item)).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("attributes", problem.ErrorFields());
    }

    [Fact]
    public async Task A_submission_within_the_clock_skew_is_accepted_and_without_a_time_it_is_now()
    {
        var source = FeedbackBuilder.NewSource();
        var skewed = FeedbackBuilder.Item(source, submittedAt: DateTimeOffset.UtcNow.AddMinutes(3));
        var untimed = FeedbackBuilder.Item(source).Without("submittedAt");
        var before = DateTimeOffset.UtcNow;

        Assert.Equal(HttpStatusCode.Created, (await _ingest.PostItemAsync(skewed)).StatusCode);
        var id = await _ingest.CreateAsync(untimed);

        var stored = await _reader.GetFromJsonAsync<JsonElement>($"/api/v1/feedback/{id}");
        var submitted = stored.GetProperty("submittedAt").GetDateTimeOffset();
        Assert.InRange(submitted, before.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));
    }

    [Theory]
    [InlineData(0, "detractor")]
    [InlineData(6, "detractor")]
    [InlineData(7, "passive")]
    [InlineData(8, "passive")]
    [InlineData(9, "promoter")]
    [InlineData(10, "promoter")]
    [InlineData(null, "none")]
    public async Task Scores_are_classified_by_nps_category(int? score, string category)
    {
        var id = await _ingest.CreateAsync(FeedbackBuilder.Item(FeedbackBuilder.NewSource(), score: score, comment: "ok"));

        var stored = await _reader.GetFromJsonAsync<JsonElement>($"/api/v1/feedback/{id}");

        Assert.Equal(category, stored.GetProperty("category").GetString());
        Assert.Equal(score, stored.GetProperty("score").ValueKind == JsonValueKind.Null ? null : stored.GetProperty("score").GetInt32());
    }

    [Theory]
    [InlineData("Emoji 🚚📦 and zero-width\u200b joiner 👩‍👩‍👧")]
    [InlineData("HTML &amp; entities &lt;b&gt; and <script>alert('x')</script> <b>bold</b>")]
    [InlineData("Line one\nLine two\r\n\ttabbed\n\n")]
    [InlineData("שלום עולם — مرحبا بالعالم — 你好世界 — Привет")]
    public async Task Text_is_stored_and_returned_exactly_as_sent(string comment)
    {
        var id = await _ingest.CreateAsync(FeedbackBuilder.Item(FeedbackBuilder.NewSource(), comment: comment).With("attributes.note", comment));

        var stored = await _reader.GetFromJsonAsync<JsonElement>($"/api/v1/feedback/{id}");

        Assert.Equal(comment, stored.GetProperty("comment").GetString());
        Assert.Equal(comment, stored.GetProperty("attributes").GetProperty("note").GetString());
    }

    [Fact]
    public async Task A_repeat_returns_200_with_the_original_id_and_writes_nothing()
    {
        var source = FeedbackBuilder.NewSource();
        var item = FeedbackBuilder.Item(source, "resp-1");

        var first = await _ingest.PostItemAsync(item);
        var second = await _ingest.PostItemAsync(item);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var id = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var repeat = await second.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(id, repeat.GetProperty("id").GetGuid());
        Assert.Equal("duplicate", repeat.GetProperty("status").GetString());
        Assert.Equal($"/api/v1/feedback/{id}", first.Headers.Location?.ToString());
        Assert.Single(await _reader.AllAsync($"source={source}"));
    }

    [Fact]
    public async Task The_same_key_with_a_different_body_is_409_and_writes_nothing()
    {
        var source = FeedbackBuilder.NewSource();
        var id = await _ingest.CreateAsync(FeedbackBuilder.Item(source, "resp-1", score: 3));

        var response = await _ingest.PostItemAsync(FeedbackBuilder.Item(source, "resp-1", score: 9));

        var problem = await response.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(id, problem.GetProperty("feedbackId").GetGuid());
        var stored = Assert.Single(await _reader.AllAsync($"source={source}"));
        Assert.Equal(3, stored.GetProperty("score").GetInt32());
    }

    [Fact]
    public async Task Concurrent_repeats_store_one_item_and_all_answer_with_its_id()
    {
        var source = FeedbackBuilder.NewSource();
        var item = FeedbackBuilder.Item(source, "resp-race", customer: "c-race-" + source);

        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => factory.Client(ApiFactory.IngestKey).PostItemAsync(item)));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(15, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        var ids = await Task.WhenAll(responses.Select(async r => (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid()));
        Assert.Single(ids.Distinct());
        Assert.Single(await _reader.AllAsync($"source={source}"));
    }

    [Fact]
    public async Task Concurrent_items_of_one_new_customer_all_count()
    {
        var source = FeedbackBuilder.NewSource();
        var customer = "c-busy-" + source;

        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
            factory.Client(ApiFactory.IngestKey).PostItemAsync(FeedbackBuilder.Item(source, $"r{i}", score: i % 11, customer: customer))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var items = await _reader.AllAsync($"source={source}");
        var customerIds = items.Select(i => i.GetProperty("customer").GetProperty("id").GetGuid()).Distinct().ToList();
        var customerId = Assert.Single(customerIds);
        var stored = await factory.Client(ApiFactory.AgentKey).GetFromJsonAsync<JsonElement>($"/api/v1/customers/{customerId}");
        Assert.Equal(12, stored.GetProperty("feedbackCount").GetInt32());
    }

    [Fact]
    public async Task An_idempotency_key_makes_items_without_external_id_safe_to_retry()
    {
        var source = FeedbackBuilder.NewSource();
        var item = FeedbackBuilder.Item(source).Without("externalId");
        var key = Guid.NewGuid().ToString();

        var responses = new List<HttpResponseMessage>();
        foreach (var body in new[] { item, item })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/feedback") { Content = JsonContent.Create(body) };
            request.Headers.Add("Idempotency-Key", key);
            responses.Add(await _ingest.SendAsync(request));
        }

        using var different = new HttpRequestMessage(HttpMethod.Post, "/api/v1/feedback") { Content = JsonContent.Create(item.With("score", 10)) };
        different.Headers.Add("Idempotency-Key", key);
        var conflict = await _ingest.SendAsync(different);

        Assert.Equal(HttpStatusCode.Created, responses[0].StatusCode);
        Assert.Equal(HttpStatusCode.OK, responses[1].StatusCode);
        await conflict.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Single(await _reader.AllAsync($"source={source}"));

        // Without a key, the same body is simply another piece of feedback.
        Assert.Equal(HttpStatusCode.Created, (await _ingest.PostItemAsync(item)).StatusCode);
        Assert.Equal(2, (await _reader.AllAsync($"source={source}")).Count);
    }

    [Fact]
    public async Task Concurrent_retries_with_one_idempotency_key_store_one_item()
    {
        var source = FeedbackBuilder.NewSource();
        var item = FeedbackBuilder.Item(source, customer: "c-key-" + source).Without("externalId");
        var key = Guid.NewGuid().ToString();

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(async _ =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/feedback") { Content = JsonContent.Create(item) };
            request.Headers.Add("Idempotency-Key", key);
            return await factory.Client(ApiFactory.IngestKey).SendAsync(request);
        }));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(9, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Single(await _reader.AllAsync($"source={source}"));
    }

    [Fact]
    public async Task A_batch_stores_the_good_items_and_reports_every_item()
    {
        var source = FeedbackBuilder.NewSource();
        var existing = FeedbackBuilder.Item(source, "already");
        var existingId = await _ingest.CreateAsync(existing);
        JsonNode?[] batch =
        [
            FeedbackBuilder.Item(source, "good-1"),
            FeedbackBuilder.Item(source, "bad-score").With("score", 42),
            existing,
            FeedbackBuilder.Item(source, "already", score: 10),
            FeedbackBuilder.Item(source, "good-2", score: null, comment: "comment only"),
            FeedbackBuilder.Item(source, "good-1"),
            FeedbackBuilder.Item(source, "bad-customer").Without("customer"),
            null,
        ];

        var response = await _ingest.PostAsJsonAsync("/api/v1/feedback/batch", batch);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        var statuses = result.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("status").GetString()).ToList();
        Assert.Equal(["created", "rejected", "duplicate", "conflict", "created", "duplicate", "rejected", "rejected"], statuses);
        Assert.Equal((2, 2, 1, 3), (result.GetProperty("created").GetInt32(), result.GetProperty("duplicates").GetInt32(), result.GetProperty("conflicts").GetInt32(), result.GetProperty("rejected").GetInt32()));
        var items = result.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(existingId, items[2].GetProperty("id").GetGuid());
        Assert.Equal(items[0].GetProperty("id").GetGuid(), items[5].GetProperty("id").GetGuid());
        Assert.Contains("score", items[1].GetProperty("errors").EnumerateObject().Select(p => p.Name));
        Assert.Equal(3, (await _reader.AllAsync($"source={source}")).Count);
    }

    [Fact]
    public async Task A_batch_larger_than_one_transaction_is_stored_whole_and_can_be_resent()
    {
        var source = FeedbackBuilder.NewSource();
        var batch = Enumerable.Range(0, 1_234).Select(i => FeedbackBuilder.Item(source, $"r{i}", score: i % 11, customer: $"c{i % 100}")).ToList();

        var first = await (await _ingest.PostAsJsonAsync("/api/v1/feedback/batch", batch)).Content.ReadFromJsonAsync<JsonElement>();
        var again = await (await _ingest.PostAsJsonAsync("/api/v1/feedback/batch", batch)).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(1_234, first.GetProperty("created").GetInt32());
        Assert.Equal(1_234, again.GetProperty("duplicates").GetInt32());
        Assert.Equal(1_234, (await _reader.AllAsync($"source={source}")).Count);
    }

    [Fact]
    public async Task Concurrent_batches_of_the_same_customers_all_count_exactly()
    {
        // Batches are written in bulk; customers read by one batch and changed by another in the meantime
        // must make the later one stage again, not lose or double a count.
        var source = FeedbackBuilder.NewSource();
        var customers = Enumerable.Range(0, 20).Select(c => $"c-shared-{c}-{source}").ToList();
        var batches = Enumerable.Range(0, 6).Select(b =>
            Enumerable.Range(0, 100).Select(i => FeedbackBuilder.Item(source, $"b{b}-r{i}", score: i % 11, customer: customers[(i + b) % customers.Count])).ToList()).ToList();

        var responses = await Task.WhenAll(batches.Select(batch => factory.Client(ApiFactory.IngestKey).PostAsJsonAsync("/api/v1/feedback/batch", batch)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        foreach (var response in responses)
        {
            Assert.Equal(100, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("created").GetInt32());
        }

        var items = await _reader.AllAsync($"source={source}");
        Assert.Equal(600, items.Count);
        foreach (var group in items.GroupBy(i => i.GetProperty("customer").GetProperty("id").GetGuid()))
        {
            var stored = await factory.Client(ApiFactory.AgentKey).GetFromJsonAsync<JsonElement>($"/api/v1/customers/{group.Key}");
            Assert.Equal(group.Count(), stored.GetProperty("feedbackCount").GetInt32());
        }

        Assert.Equal(20, items.Select(i => i.GetProperty("customer").GetProperty("id").GetGuid()).Distinct().Count());
    }

    [Fact]
    public async Task An_empty_or_oversized_batch_is_422()
    {
        var source = FeedbackBuilder.NewSource();
        var tooMany = Enumerable.Range(0, 5_001).Select(i => new JsonObject { ["source"] = source, ["score"] = 5 }).ToList();

        await (await _ingest.PostAsJsonAsync("/api/v1/feedback/batch", Array.Empty<object>())).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        await (await _ingest.PostAsJsonAsync("/api/v1/feedback/batch", tooMany)).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        await (await _ingest.PostAsJsonAsync("/api/v1/feedback/batch", new { not = "an array" })).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Empty(await _reader.AllAsync($"source={source}"));
    }

    [Fact]
    public async Task Who_may_write_and_read_feedback()
    {
        var item = FeedbackBuilder.Item(FeedbackBuilder.NewSource());
        var id = await factory.Client(ApiFactory.AdminKey).CreateAsync(item);

        await (await factory.Client(ApiFactory.AgentKey).PostItemAsync(item)).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await factory.Client(null).PostItemAsync(item)).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await _ingest.GetAsync($"/api/v1/feedback/{id}")).AssertProblemAsync(HttpStatusCode.Forbidden);
        foreach (var key in new[] { ApiFactory.AgentKey, ApiFactory.AnalystKey, ApiFactory.AdminKey })
        {
            Assert.Equal(HttpStatusCode.OK, (await factory.Client(key).GetAsync($"/api/v1/feedback/{id}")).StatusCode);
        }

        await (await _reader.GetAsync($"/api/v1/feedback/{Guid.NewGuid()}")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Listing_filters_and_pages_through_everything_exactly_once()
    {
        var source = FeedbackBuilder.NewSource();
        var at = new DateTimeOffset(2026, 10, 1, 12, 0, 0, TimeSpan.Zero);
        var batch = Enumerable.Range(0, 57)
            .Select(i => FeedbackBuilder.Item(source, $"r{i}", score: i % 11, customer: $"{source}-c{i % 3}", submittedAt: at.AddHours(i / 4)))
            .ToList();
        await _ingest.PostAsJsonAsync("/api/v1/feedback/batch", batch);

        var all = await _reader.AllAsync($"source={source}", pageSize: 7);

        Assert.Equal(57, all.Count);
        Assert.Equal(57, all.Select(i => i.GetProperty("id").GetGuid()).Distinct().Count());
        var times = all.Select(i => i.GetProperty("submittedAt").GetDateTimeOffset()).ToList();
        Assert.Equal(times.OrderByDescending(t => t), times);

        var promoters = await _reader.AllAsync($"source={source}&category=promoter");
        Assert.Equal(all.Count(i => i.GetProperty("score").GetInt32() >= 9), promoters.Count);
        var window = await _reader.AllAsync($"source={source}&from={Uri.EscapeDataString(at.AddHours(2).ToString("O"))}&to={Uri.EscapeDataString(at.AddHours(5).ToString("O"))}");
        Assert.Equal(12, window.Count);
        var customerId = all[0].GetProperty("customer").GetProperty("id").GetGuid();
        var ofCustomer = await _reader.AllAsync($"customerId={customerId}");
        Assert.Equal(all.Count(i => i.GetProperty("customer").GetProperty("id").GetGuid() == customerId), ofCustomer.Count);
    }

    [Theory]
    [InlineData("category=happy", "category")]
    [InlineData("pageSize=0", "pageSize")]
    [InlineData("pageSize=501", "pageSize")]
    [InlineData("cursor=bm90LWEtY3Vyc29y", "cursor")]
    [InlineData("from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from")]
    public async Task Bad_list_parameters_are_422(string query, string field)
    {
        var problem = await (await _reader.GetAsync($"/api/v1/feedback?{query}")).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);

        Assert.Contains(field, problem.ErrorFields());
    }
}

public sealed class SqliteFeedbackTests(SqliteApiFactory factory) : FeedbackTests<SqliteApiFactory>(factory);

public sealed class PostgresFeedbackTests(PostgresApiFactory factory) : FeedbackTests<PostgresApiFactory>(factory);
