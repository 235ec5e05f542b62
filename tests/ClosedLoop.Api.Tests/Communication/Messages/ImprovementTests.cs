using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClosedLoop.Api.Tests.Cases;
using ClosedLoop.Api.Tests.Infrastructure;

namespace ClosedLoop.Api.Tests.Communication.Messages;

/// <summary>
/// Improvements: recorded, announced to the customers who gave feedback on their topics in a window and to their
/// linked cases' customers, once per customer however often and however concurrently announce is called.
/// </summary>
public abstract class ImprovementTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : ApiFactory, ICasesFactory
{
    private static readonly DateTimeOffset Day = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);
    private readonly HttpClient _ingest = factory.Client(ApiFactory.IngestKey);
    private readonly HttpClient _agent = factory.Client(ApiFactory.AgentKey);
    private readonly HttpClient _admin = factory.Client(ApiFactory.AdminKey);

    [Fact]
    public async Task Ten_thousand_affected_customers_get_exactly_one_message_each_when_announce_is_called_twice_at_once()
    {
        // A topic of its own, so nothing another test posts matches: "parcel" tags delivery, the marker word keeps it apart by window.
        var from = Day.AddDays(-200 - Random.Shared.Next(1000));
        var prefix = "imp-" + Guid.NewGuid().ToString("N")[..8];
        const int affected = 10_000;
        var source = FeedbackBuilder.NewSource();
        for (var start = 0; start < affected; start += 5_000)
        {
            var batch = new JsonArray([.. Enumerable.Range(start, 5_000).Select(i => (JsonNode)FeedbackBuilder.Item(source, $"{prefix}-{i}", score: 8, comment: "The parcel took a while.", customer: $"{prefix}-{i}", submittedAt: from.AddMinutes(i % 600)))]);
            var response = await _ingest.PostAsJsonAsync("/api/v1/feedback/batch", batch);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }

        // Outside the window, and inside it on another topic: neither hears about it.
        await _ingest.CreateAsync(FeedbackBuilder.Item(source, $"{prefix}-late", score: 8, comment: "The parcel took a while.", customer: $"{prefix}-late", submittedAt: from.AddDays(30)));
        await _ingest.CreateAsync(FeedbackBuilder.Item(source, $"{prefix}-bill", score: 8, comment: "I was billed twice.", customer: $"{prefix}-bill", submittedAt: from.AddMinutes(5)));

        var id = await CreateAsync(new { title = "Faster parcels", description = "Parcels now go with two couriers.", topics = new[] { "delivery" }, effectiveDate = "2026-12-01" });
        var window = new { from = from.AddSeconds(-1), to = from.AddDays(1) };
        var calls = await Task.WhenAll(_admin.PostAsJsonAsync($"/api/v1/improvements/{id}/announce", window), _admin.PostAsJsonAsync($"/api/v1/improvements/{id}/announce", window));
        Assert.All(calls, c => Assert.Equal(HttpStatusCode.Accepted, c.StatusCode));

        var done = await WaitForAnnouncementsAsync(id, 2, TimeSpan.FromMinutes(5));
        var counts = done.GetProperty("counts");
        Assert.Equal(affected, counts.GetProperty("total").GetInt32());
        var announcements = done.GetProperty("announcements").EnumerateArray().ToList();
        Assert.Equal(affected, announcements.Sum(a => a.GetProperty("queued").GetInt32()));

        var messages = await _admin.AllPagesAsync($"/api/v1/messages?improvementId={id}");
        Assert.Equal(affected, messages.Count);
        Assert.Equal(affected, messages.Select(m => m.GetProperty("customerId").GetGuid()).Distinct().Count());

        // Announcing again reaches nobody new.
        await _admin.PostAsJsonAsync($"/api/v1/improvements/{id}/announce", window);
        var again = await WaitForAnnouncementsAsync(id, 3, TimeSpan.FromMinutes(5));
        var third = again.GetProperty("announcements")[2];
        Assert.Equal((affected, 0, affected), (third.GetProperty("matched").GetInt32(), third.GetProperty("queued").GetInt32(), third.GetProperty("alreadyReached").GetInt32()));
        Assert.Equal(affected, again.GetProperty("counts").GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_linked_case_customer_is_told_and_the_case_records_that_the_loop_was_closed()
    {
        var opened = await _ingest.OpenCaseAsync(_agent, comment: "My invoice was wrong.");
        var id = await CreateAsync(new { title = "Clearer invoices", description = "Invoices now list every charge.", linkedCases = new[] { opened.Id() }, effectiveDate = "2026-12-01" });

        Assert.Equal(HttpStatusCode.Accepted, (await _admin.PostAsJsonAsync($"/api/v1/improvements/{id}/announce", new { from = Day.AddYears(-1) })).StatusCode);

        var done = await WaitForAnnouncementsAsync(id, 1, TimeSpan.FromMinutes(1));
        Assert.Equal(1, done.GetProperty("counts").GetProperty("total").GetInt32());
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(await _agent.GetCaseAsync(opened.Id())).Kinds().Contains("communicated") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        var entry = (await _agent.GetCaseAsync(opened.Id())).GetProperty("timeline").EnumerateArray().Single(e => e.Text("kind") == "communicated");
        Assert.Contains("Clearer invoices", entry.Text("text"), StringComparison.Ordinal);
        var messages = await _admin.GetFromJsonAsync<JsonElement>($"/api/v1/messages?caseId={opened.Id()}");
        var message = messages.GetProperty("items").EnumerateArray().Single(m => m.Text("template") == "improvement-announcement");
        Assert.Contains("Clearer invoices", message.Text("subject") + (await _admin.GetFromJsonAsync<JsonElement>($"/api/v1/messages/{message.GetProperty("id").GetGuid()}")).Text("textBody"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_improvements_and_announcements_are_refused_with_problems()
    {
        var empty = await (await _admin.PostAsJsonAsync("/api/v1/improvements", new { })).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        foreach (var field in new[] { "title", "description", "topics", "effectiveDate" })
        {
            Assert.True(empty.GetProperty("errors").TryGetProperty(field, out _), field);
        }

        var missingCase = await (await _admin.PostAsJsonAsync("/api/v1/improvements", new { title = "t", description = "d", linkedCases = new[] { Guid.NewGuid() }, effectiveDate = "2026-12-01" }))
            .AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.True(missingCase.GetProperty("errors").TryGetProperty("linkedCases", out _));
        await (await _admin.GetAsync($"/api/v1/improvements/{Guid.NewGuid()}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await _admin.PostAsJsonAsync($"/api/v1/improvements/{Guid.NewGuid()}/announce", new { from = Day })).AssertProblemAsync(HttpStatusCode.NotFound);
        var id = await CreateAsync(new { title = "t", description = "d", topics = new[] { "pricing" }, effectiveDate = "2026-12-01" });
        await (await _admin.PostAsJsonAsync($"/api/v1/improvements/{id}/announce", new { })).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        await (await _admin.PostAsJsonAsync($"/api/v1/improvements/{id}/announce", new { from = Day, to = Day.AddDays(-1) })).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        await (await _agent.PostAsJsonAsync("/api/v1/improvements", new { title = "t" })).AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    private async Task<Guid> CreateAsync(object body)
    {
        var response = await _admin.PostAsJsonAsync("/api/v1/improvements", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private async Task<JsonElement> WaitForAnnouncementsAsync(Guid id, int count, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            var improvement = await _admin.GetFromJsonAsync<JsonElement>($"/api/v1/improvements/{id}");
            var announcements = improvement.GetProperty("announcements").EnumerateArray().ToList();
            Assert.DoesNotContain(announcements, a => a.Text("status") == "failed");
            if (announcements.Count >= count && announcements.All(a => a.Text("status") == "completed"))
            {
                return improvement;
            }

            Assert.True(DateTime.UtcNow < deadline, $"The announcements of {id} did not complete within {within}: {improvement}");
            await Task.Delay(200);
        }
    }
}

public sealed class SqliteImprovementTests(SqliteCasesFactory factory) : ImprovementTests<SqliteCasesFactory>(factory);

public sealed class PostgresImprovementTests(PostgresCasesFactory factory) : ImprovementTests<PostgresCasesFactory>(factory);
