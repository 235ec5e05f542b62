using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ClosedLoop.Api.Tests.Infrastructure;
using ClosedLoop.Api.Tests.Rules;

namespace ClosedLoop.Api.Tests.Cases;

/// <summary>Case lists: every filter, both sorts, and keyset paging that returns each case exactly once.</summary>
public abstract class CaseListTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : ApiFactory, ICasesFactory
{
    private readonly HttpClient _ingest = factory.Client(ApiFactory.IngestKey);
    private readonly HttpClient _agent = factory.Client(ApiFactory.AgentKey);

    [Fact]
    public async Task Filters_narrow_the_list_and_both_sorts_page_through_every_case_once()
    {
        // Different priorities, teams and topics: EMEA delivery (high), high-value enterprise billing (urgent, management), a passive (normal).
        var delivery = await _ingest.OpenCaseAsync(_agent, 2, "Delivery was two weeks late.", "EMEA");
        var billing = await _ingest.OpenCaseAsync(_agent, 1, "I was charged twice and support never called back.", "NA", "enterprise", 250_000);
        var other = await _ingest.OpenCaseAsync(_agent, 3, "The app keeps crashing when I log in.", "APAC");
        await _agent.ActOkAsync(other.Id(), "acknowledge");
        var mine = new[] { delivery.Id(), billing.Id(), other.Id() };

        // Two waiting on the customer: nothing is due for them, so they tie on the due time and page by id.
        foreach (var comment in new[] { "Still waiting for my refund.", "The refund never arrived." })
        {
            var waiting = await _ingest.OpenCaseAsync(_agent, 4, comment);
            await _agent.ActOkAsync(waiting.Id(), "acknowledge");
            await _agent.ActOkAsync(waiting.Id(), "status", new { status = "inProgress" });
            await _agent.ActOkAsync(waiting.Id(), "status", new { status = "waitingOnCustomer" });
        }

        Assert.Equal([billing.Id()], Mine(await ListAsync("priority=urgent"), mine));
        Assert.Equal([billing.Id()], Mine(await ListAsync("level=management"), mine));
        Assert.Equal(mine.Order(), Mine(await ListAsync("level=frontline,management"), mine).Order());
        Assert.Equal(new[] { delivery.Id(), other.Id() }.Order(), Mine(await ListAsync("level=frontline,executive"), mine).Order());
        Assert.Equal([delivery.Id()], Mine(await ListAsync("team=cx-emea"), mine));
        Assert.Equal([delivery.Id()], Mine(await ListAsync("topic=Delivery"), mine));
        Assert.Equal([other.Id()], Mine(await ListAsync("status=acknowledged"), mine));
        Assert.Equal([billing.Id(), delivery.Id()], Mine(await ListAsync("status=new&priority=high,urgent&sort=priority"), mine));
        Assert.Equal([billing.Id()], Mine(await ListAsync($"customerId={billing.GetProperty("customerId").GetGuid()}"), mine));
        Assert.Equal(3, Mine(await ListAsync("status=open&assignee=none"), mine).Count);
        Assert.Equal(mine.Order(), Mine(await ListAsync("overdue=false&level=frontline,management"), mine).Order());
        Assert.Empty(Mine(await ListAsync("overdue=true"), mine));

        // Each item's topics come with its page and are its case's, in order: several, one, none.
        var listed = await ListAsync("status=open");
        foreach (var id in mine)
        {
            var detail = await _agent.GetFromJsonAsync<JsonElement>($"/api/v1/cases/{id}");
            Assert.Equal(Topics(detail), Topics(listed.Single(c => c.Id() == id)));
        }

        Assert.Equal(["billing", "support-experience"], Topics(listed.Single(c => c.Id() == billing.Id())));
        Assert.Equal(["delivery"], Topics(listed.Single(c => c.Id() == delivery.Id())));

        // Paging: small pages, both sorts, every case once and in order: the same list as in one page, ties included.
        foreach (var sort in new[] { "due", "priority" })
        {
            var all = await ListAsync($"sort={sort}", pageSize: 2);
            Assert.Equal((await ListAsync($"sort={sort}")).Select(c => c.Id()), all.Select(c => c.Id()));
            Assert.Equal(all.Count, all.Select(c => c.Id()).Distinct().Count());
            Assert.Subset(all.Select(c => c.Id()).ToHashSet(), mine.ToHashSet());
            var keys = all.Select(c => (Priority: Rank(c.Text("priority")), Due: c.GetProperty("dueAt").ValueKind == JsonValueKind.Null ? DateTimeOffset.MaxValue : c.GetProperty("dueAt").GetDateTimeOffset())).ToList();
            var expected = sort == "due" ? keys.OrderBy(k => k.Due).ToList() : keys.OrderByDescending(k => k.Priority).ThenBy(k => k.Due).ToList();
            Assert.Equal(expected, keys);
        }
    }

    [Fact]
    public async Task A_case_keeps_its_first_32_topics_and_its_feedback_keeps_them_all()
    {
        // A rule that gives one comment 40 topics of the column's full length, in a set after the shipped topics set.
        var comment = $"Many topics {Guid.NewGuid():N}";
        var decided = Enumerable.Range(0, 40).Select(i => $"topic-{i:00}-" + new string('x', 91)).ToList();
        var name = RuleSetApi.NewName("many");
        await factory.Client(ApiFactory.AdminKey).PutOkAsync(name, RuleSetApi.Set(name, $$"""
            { "RuleName": "many-topics", "Expression": {{JsonSerializer.Serialize($"feedback.Comment == \"{comment}\"")}},
              "Properties": { "topics": {{JsonSerializer.Serialize(decided)}} } }
            """), "order=150");

        var opened = await _ingest.OpenCaseAsync(_agent, 2, comment);
        var listed = Assert.Single(await ListAsync($"customerId={opened.GetProperty("customerId").GetGuid()}"));

        Assert.Equal(decided.Take(32), Topics(listed));
        Assert.Equal(Topics(opened), Topics(listed));
        Assert.Equal(decided.Take(32), (await ListAsync($"topic={decided[31]}")).Select(Topics).Single());
        Assert.Empty(await ListAsync($"topic={decided[32]}"));
        var feedback = await _agent.GetFromJsonAsync<JsonElement>($"/api/v1/feedback/{opened.GetProperty("feedbackId").GetGuid()}");
        Assert.Equal(decided.Order(StringComparer.Ordinal), Topics(feedback).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Bad_list_parameters_are_answered_with_422_naming_them()
    {
        var problem = await (await _agent.GetAsync("/api/v1/cases?status=lost&priority=asap&level=ceo&sort=name&pageSize=0&cursor=nope")).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);

        Assert.Equal(["cursor", "level", "pageSize", "priority", "sort", "status"], problem.ErrorFields().Order(StringComparer.Ordinal));
        var team = await (await _agent.GetAsync("/api/v1/cases?team=no-such-team")).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("team", team.ErrorFields());
        var due = (await _agent.GetFromJsonAsync<JsonElement>("/api/v1/cases?pageSize=1")).GetProperty("nextCursor").GetString();
        if (due is not null)
        {
            var crossed = await (await _agent.GetAsync($"/api/v1/cases?sort=priority&cursor={Uri.EscapeDataString(due)}")).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
            Assert.Contains("cursor", crossed.ErrorFields());
        }
    }

    private static List<string?> Topics(JsonElement item) => [.. item.GetProperty("topics").EnumerateArray().Select(t => t.GetString())];

    private static int Rank(string priority) => priority switch { "low" => 0, "normal" => 1, "high" => 2, _ => 3 };

    private static List<Guid> Mine(List<JsonElement> page, Guid[] mine) => [.. page.Select(c => c.Id()).Where(mine.Contains)];

    private async Task<List<JsonElement>> ListAsync(string query, int pageSize = 500)
    {
        var items = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var page = await _agent.GetFromJsonAsync<JsonElement>($"/api/v1/cases?{query}&pageSize={pageSize}" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}"));
            items.AddRange(page.GetProperty("items").EnumerateArray());
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);
        return items;
    }
}

public sealed class SqliteCaseListTests(SqliteCasesFactory factory) : CaseListTests<SqliteCasesFactory>(factory);

public sealed class PostgresCaseListTests(PostgresCasesFactory factory) : CaseListTests<PostgresCasesFactory>(factory);
