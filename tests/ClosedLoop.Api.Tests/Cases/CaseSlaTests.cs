using System.Net.Http.Json;
using System.Text.Json;
using ClosedLoop.Api.Tests.Infrastructure;
using ClosedLoop.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Api.Tests.Cases;

/// <summary>
/// SLA clocks through the API with the host's clock moved forward: breaches are recorded once with an event and
/// show in <c>overdue=true</c>; waiting on the customer pauses the resolution clock; untouched cases escalate by
/// themselves. Cases here go to <c>cx-global</c> (round the clock, UTC), so business time equals wall time.
/// </summary>
public abstract class CaseSlaTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : ApiFactory, ICasesFactory
{
    private readonly HttpClient _ingest = factory.Client(ApiFactory.IngestKey);
    private readonly HttpClient _agent = factory.Client(ApiFactory.AgentKey);

    [Fact]
    public async Task A_missed_first_response_is_recorded_once_listed_as_overdue_and_published()
    {
        var opened = await _ingest.OpenCaseAsync(_agent, region: "Antarctica");
        var id = opened.Id();
        Assert.Equal(("cx-global", "high"), (opened.Text("team"), opened.Text("priority")));
        var due = opened.GetProperty("sla").GetProperty("firstResponse").GetProperty("dueAt").GetDateTimeOffset();
        Assert.Equal(TimeSpan.FromHours(4), due - opened.GetProperty("openedAt").GetDateTimeOffset());
        Assert.DoesNotContain(await OverdueAsync(opened), c => c.Id() == id);

        factory.Clock.Advance(TimeSpan.FromHours(5));
        var breached = await WaitForAsync(id, c => c.Kinds().Contains("slaBreached"));

        Assert.Equal("breached", breached.GetProperty("sla").GetProperty("firstResponse").Text("state"));
        Assert.True(breached.GetProperty("overdue").GetBoolean());
        Assert.Contains(await OverdueAsync(opened), c => c.Id() == id);
        var acknowledged = await _agent.ActOkAsync(id, "acknowledge");
        Assert.Equal("breached", acknowledged.GetProperty("sla").GetProperty("firstResponse").Text("state"));
        Assert.Single(acknowledged.Kinds(), k => k == "slaBreached");
        Assert.False(acknowledged.GetProperty("overdue").GetBoolean());
        var events = await factory.CaseEventsAsync(id, "CaseSlaBreachedIntegrationEvent");
        Assert.Contains("\"target\":\"firstResponse\"", Assert.Single(events), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Waiting_on_the_customer_pauses_the_resolution_clock()
    {
        var id = (await _ingest.OpenCaseAsync(_agent, region: "Antarctica")).Id();
        await _agent.ActOkAsync(id, "acknowledge");
        var working = await _agent.ActOkAsync(id, "status", new { status = "inProgress" });
        var dueBefore = working.GetProperty("sla").GetProperty("resolution").GetProperty("dueAt").GetDateTimeOffset();

        await _agent.ActOkAsync(id, "status", new { status = "waitingOnCustomer" });
        factory.Clock.Advance(TimeSpan.FromHours(10));
        var paused = await _agent.GetCaseAsync(id);
        Assert.Equal("paused", paused.GetProperty("sla").GetProperty("resolution").Text("state"));
        Assert.InRange(paused.GetProperty("sla").GetProperty("resolution").GetProperty("pausedMinutes").GetDouble(), 599, 605);
        var resumed = await _agent.ActOkAsync(id, "status", new { status = "inProgress" });

        var dueAfter = resumed.GetProperty("sla").GetProperty("resolution").GetProperty("dueAt").GetDateTimeOffset();
        Assert.InRange(dueAfter - dueBefore, TimeSpan.FromHours(10) - TimeSpan.FromMinutes(1), TimeSpan.FromHours(10) + TimeSpan.FromMinutes(5));
        Assert.Equal("pending", resumed.GetProperty("sla").GetProperty("resolution").Text("state"));
        Assert.InRange(resumed.GetProperty("sla").GetProperty("resolution").GetProperty("elapsedMinutes").GetDouble(), 0, 5);
    }

    [Fact]
    public async Task An_untouched_case_escalates_to_management_by_itself_once()
    {
        var id = (await _ingest.OpenCaseAsync(_agent, region: "Antarctica")).Id();
        await _agent.ActOkAsync(id, "acknowledge");

        // high: untouched for 8 hours escalates one level.
        factory.Clock.Advance(TimeSpan.FromHours(9));
        var escalated = await WaitForAsync(id, c => c.Kinds().Contains("escalated"));

        Assert.Equal("management", escalated.Text("level"));
        var entry = escalated.GetProperty("timeline").EnumerateArray().Single(e => e.Text("kind") == "escalated");
        Assert.Equal("system:sla-monitor", entry.GetProperty("actor").Text("id"));
        Assert.Contains("Untouched", entry.Text("text"));
        Assert.Contains("\"automatic\":true", Assert.Single(await factory.CaseEventsAsync(id, "CaseEscalatedIntegrationEvent")), StringComparison.Ordinal);

        // Touched just now by the escalation: a few more monitor passes change nothing.
        await Task.Delay(1_000);
        Assert.Equal(1, (await _agent.GetCaseAsync(id)).Kinds().Count(k => k == "escalated"));
    }

    [Fact]
    public async Task A_case_read_while_the_monitor_escalates_it_shows_its_level_and_timeline_of_one_moment()
    {
        var id = (await _ingest.OpenCaseAsync(_agent, region: "Antarctica")).Id();
        await _agent.ActOkAsync(id, "acknowledge");

        // The read takes the case row, then waits at its timeline until the monitor's escalation has committed (what a
        // busy machine did to An_untouched_case_escalates_to_management_by_itself_once once).
        var race = factory.Race.Arm(id, "escalated");
        var reading = _agent.GetAsync($"/api/v1/cases/{id}");
        await race.Reached.Task.WaitAsync(TimeSpan.FromSeconds(60));
        factory.Clock.Advance(TimeSpan.FromHours(9));
        var response = await reading;

        var read = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(race.Forced, "The escalation did not commit while the read waited.");
        // As of before the escalation or after it, but one of them: the level, timeline and ETag agree.
        Assert.Equal(read.Kinds().Contains("escalated") ? "management" : "frontline", read.Text("level"));
        Assert.Equal($"\"{read.GetProperty("version").GetInt32()}\"", response.Headers.ETag?.Tag);
    }

    private async Task<List<JsonElement>> OverdueAsync(JsonElement c)
    {
        var page = await _agent.GetFromJsonAsync<JsonElement>($"/api/v1/cases?overdue=true&customerId={c.GetProperty("customerId").GetGuid()}");
        return [.. page.GetProperty("items").EnumerateArray()];
    }

    private async Task<JsonElement> WaitForAsync(Guid id, Func<JsonElement, bool> condition)
    {
        for (var i = 0; i < 100; i++)
        {
            var c = await _agent.GetCaseAsync(id);
            if (condition(c))
            {
                return c;
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException("The SLA monitor did not act within 10 s.");
    }
}

public sealed class SqliteCaseSlaTests(SqliteCasesFactory factory) : CaseSlaTests<SqliteCasesFactory>(factory);

public sealed class PostgresCaseSlaTests(PostgresCasesFactory factory) : CaseSlaTests<PostgresCasesFactory>(factory);
