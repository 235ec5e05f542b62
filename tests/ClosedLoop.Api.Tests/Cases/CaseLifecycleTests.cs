using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ClosedLoop.Api.Tests.Infrastructure;
using ClosedLoop.Cases.Contracts;
using ClosedLoop.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Api.Tests.Cases;

/// <summary>
/// A detractor's feedback opens a case that agents work through the API: the whole lifecycle, every refused
/// transition, resolution rules, ETags, and one case per feedback however often the routing event is delivered.
/// </summary>
public abstract class CaseLifecycleTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : ApiFactory, ICasesFactory
{
    private readonly HttpClient _ingest = factory.Client(ApiFactory.IngestKey);
    private readonly HttpClient _agent = factory.Client(ApiFactory.AgentKey);
    private readonly HttpClient _admin = factory.Client(ApiFactory.AdminKey);

    [Fact]
    public async Task A_routed_detractor_opens_a_case_with_the_decision_and_its_explanation()
    {
        var opened = await _ingest.OpenCaseAsync(_agent, score: 2, comment: "Delivery was two weeks late and nobody told me.", region: "EMEA");

        Assert.Equal(("new", "high", "frontline", "cx-emea", "detractor-recovery"), (opened.Text("status"), opened.Text("priority"), opened.Text("level"), opened.Text("team"), opened.Text("loop")));
        Assert.Contains("delivery", opened.GetProperty("topics").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(["created"], opened.Kinds());
        Assert.Equal("system:routing", opened.GetProperty("timeline")[0].GetProperty("actor").Text("id"));
        Assert.Equal("cx-emea", opened.GetProperty("routing").GetProperty("decision").Text("team"));

        // 24 business hours in cx-emea's calendar (Mon–Fri 08–18 London): at least 2.4 days away, and not before the first response.
        var sla = opened.GetProperty("sla");
        Assert.Equal(24 * 60, sla.GetProperty("resolution").GetProperty("targetMinutes").GetDouble());
        var due = sla.GetProperty("resolution").GetProperty("dueAt").GetDateTimeOffset();
        Assert.True(due - opened.GetProperty("openedAt").GetDateTimeOffset() >= TimeSpan.FromHours(48), $"due {due:O}");
        Assert.True(sla.GetProperty("firstResponse").GetProperty("dueAt").GetDateTimeOffset() <= due);
        Assert.Equal("Europe/London", sla.Text("timeZone"));
        Assert.Equal(["acknowledge", "assign", "escalate", "note"], opened.GetProperty("allowedActions").EnumerateArray().Select(a => a.GetString()!).Order(StringComparer.Ordinal));

        // The feedback points to its case once the Feedback module has heard of it.
        Guid? caseId = null;
        for (var wait = 0; wait < 100 && caseId is null; wait++)
        {
            var feedback = await _agent.GetFromJsonAsync<JsonElement>($"/api/v1/feedback/{opened.GetProperty("feedbackId").GetGuid()}");
            caseId = feedback.GetProperty("caseId").ValueKind == JsonValueKind.Null ? null : feedback.GetProperty("caseId").GetGuid();
            await Task.Delay(caseId is null ? 100 : 0);
        }

        Assert.Equal(opened.Id(), caseId);
    }

    [Fact]
    public async Task Agents_work_a_case_from_new_to_closed_and_reopen_it()
    {
        var id = (await _ingest.OpenCaseAsync(_agent)).Id();

        var acknowledged = await _agent.ActOkAsync(id, "acknowledge", new { note = "Sorry — looking into it." });
        Assert.Equal("acknowledged", acknowledged.Text("status"));
        Assert.Equal("met", acknowledged.GetProperty("sla").GetProperty("firstResponse").Text("state"));
        Assert.Equal("inProgress", (await _agent.ActOkAsync(id, "status", new { status = "inProgress" })).Text("status"));
        var waiting = await _agent.ActOkAsync(id, "status", new { status = "waitingOnCustomer", note = "Asked for the order number." });
        Assert.Equal("waitingOnCustomer", waiting.Text("status"));
        Assert.Equal("paused", waiting.GetProperty("sla").GetProperty("resolution").Text("state"));
        Assert.Equal(JsonValueKind.Null, waiting.GetProperty("sla").GetProperty("resolution").GetProperty("dueAt").ValueKind);
        Assert.Equal("inProgress", (await _agent.ActOkAsync(id, "status", new { status = "inProgress" })).Text("status"));
        await _agent.ActOkAsync(id, "notes", new { text = "Carrier confirms the parcel was held at the depot. <b>not html</b> 🚚" });
        var resolved = await _agent.ActOkAsync(id, "resolve", new { rootCause = "delivery-carrier", resolutionNote = "Refunded shipping; carrier escalation filed.", customerSummary = "We changed carriers in your area." });
        Assert.Equal("resolved", resolved.Text("status"));
        Assert.Equal(("delivery-carrier", "We changed carriers in your area."), (resolved.GetProperty("resolution").Text("rootCause"), resolved.GetProperty("resolution").Text("customerSummary")));
        Assert.Equal("met", resolved.GetProperty("sla").GetProperty("resolution").Text("state"));
        Assert.Equal("closed", (await _agent.ActOkAsync(id, "close")).Text("status"));
        var reopened = await _agent.ActOkAsync(id, "reopen", new { reason = "The customer says the refund never arrived." });

        Assert.Equal("inProgress", reopened.Text("status"));
        Assert.Equal(JsonValueKind.Null, reopened.GetProperty("resolution").ValueKind);
        Assert.Equal(
            ["created", "statusChanged", "acknowledged", "statusChanged", "statusChanged", "statusChanged", "note", "statusChanged", "resolved", "statusChanged", "statusChanged", "reopened"],
            reopened.Kinds());
        var note = reopened.GetProperty("timeline").EnumerateArray().Single(e => e.Text("kind") == "note");
        Assert.Equal("Carrier confirms the parcel was held at the depot. <b>not html</b> 🚚", note.Text("text"));
        Assert.Equal(("dev:agent", "Development agent"), (note.GetProperty("actor").Text("id"), note.GetProperty("actor").Text("name")));

        var types = await factory.CaseEventsAsync(id);
        foreach (var expected in new[] { "CaseOpened", "CaseAcknowledged", "CaseStatusChanged", "CaseResolved", "CaseClosed", "CaseReopened" })
        {
            Assert.Contains(types, t => t.Contains(expected + "IntegrationEvent", StringComparison.Ordinal));
        }
    }

    public static TheoryData<string, string, object> Refused => new()
    {
        // From new: only acknowledge, assign, escalate and notes.
        { "new", "status", new { status = "inProgress" } },
        { "new", "status", new { status = "waitingOnCustomer" } },
        { "new", "resolve", new { rootCause = "other", resolutionNote = "x" } },
        { "new", "close", new { } },
        { "new", "reopen", new { reason = "x" } },
        { "acknowledged", "acknowledge", new { } },
        { "acknowledged", "status", new { status = "waitingOnCustomer" } },
        { "acknowledged", "resolve", new { rootCause = "other", resolutionNote = "x" } },
        { "acknowledged", "close", new { } },
        { "acknowledged", "reopen", new { reason = "x" } },
        { "inProgress", "acknowledge", new { } },
        { "inProgress", "status", new { status = "inProgress" } },
        { "inProgress", "close", new { } },
        { "inProgress", "reopen", new { reason = "x" } },
        { "waitingOnCustomer", "acknowledge", new { } },
        { "waitingOnCustomer", "status", new { status = "waitingOnCustomer" } },
        { "waitingOnCustomer", "close", new { } },
        { "waitingOnCustomer", "reopen", new { reason = "x" } },
        { "resolved", "acknowledge", new { } },
        { "resolved", "status", new { status = "inProgress" } },
        { "resolved", "resolve", new { rootCause = "other", resolutionNote = "x" } },
        { "resolved", "assign", new { auto = true } },
        { "resolved", "escalate", new { reason = "x" } },
        { "closed", "acknowledge", new { } },
        { "closed", "status", new { status = "inProgress" } },
        { "closed", "resolve", new { rootCause = "other", resolutionNote = "x" } },
        { "closed", "close", new { } },
        { "closed", "assign", new { auto = true } },
        { "closed", "escalate", new { reason = "x" } },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task An_illegal_transition_is_refused_with_409_listing_the_allowed_actions(string status, string action, object body)
    {
        var id = await CaseInAsync(status);
        var before = await _agent.GetCaseAsync(id);

        var problem = await (await _agent.ActAsync(id, action, body)).AssertProblemAsync(HttpStatusCode.Conflict);

        var allowed = problem.GetProperty("errors").GetProperty("allowed").EnumerateArray().Select(a => a.GetString()).ToList();
        Assert.Equal(before.GetProperty("allowedActions").EnumerateArray().Select(a => a.GetString()), allowed);
        Assert.Equal(status, problem.GetProperty("errors").GetProperty("status")[0].GetString());
        Assert.Contains("Allowed now", problem.Text("detail"));
        var after = await _agent.GetCaseAsync(id);
        Assert.Equal((status, before.GetProperty("version").GetInt32()), (after.Text("status"), after.GetProperty("version").GetInt32()));
    }

    [Fact]
    public async Task Resolving_needs_an_active_root_cause_from_the_taxonomy_and_a_note()
    {
        var id = await CaseInAsync("inProgress");
        await _admin.PostAsJsonAsync("/api/v1/root-causes", new { key = "retired-cause", name = "Retired", active = false });

        var missing = await (await _agent.ActAsync(id, "resolve", new { })).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(["resolutionNote", "rootCause"], missing.ErrorFields().Order(StringComparer.Ordinal));
        var unknown = await (await _agent.ActAsync(id, "resolve", new { rootCause = "gremlins", resolutionNote = "x" })).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("taxonomy", unknown.GetProperty("errors").GetProperty("rootCause")[0].GetString());
        var retired = await (await _agent.ActAsync(id, "resolve", new { rootCause = "retired-cause", resolutionNote = "x" })).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("retired", retired.GetProperty("errors").GetProperty("rootCause")[0].GetString());
        Assert.Equal("inProgress", (await _agent.GetCaseAsync(id)).Text("status"));

        var causes = await _agent.GetFromJsonAsync<JsonElement>("/api/v1/root-causes");
        Assert.Contains(causes.GetProperty("items").EnumerateArray(), c => c.Text("key") == "product-defect" && c.GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task A_stale_If_Match_is_refused_with_412_and_a_fresh_one_is_accepted()
    {
        var id = (await _ingest.OpenCaseAsync(_agent)).Id();
        var read = await _agent.GetAsync($"/api/v1/cases/{id}");
        var etag = read.Headers.ETag!.Tag;
        await _agent.ActOkAsync(id, "notes", new { text = "someone else was quicker" });

        var stale = await (await _agent.ActAsync(id, "acknowledge", null, etag)).AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        Assert.Contains("version", stale.Text("detail"));
        var fresh = (await _agent.GetAsync($"/api/v1/cases/{id}")).Headers.ETag!.Tag;
        var done = await _agent.ActAsync(id, "acknowledge", null, fresh);

        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.NotEqual(fresh, done.Headers.ETag!.Tag);
    }

    [Fact]
    public async Task Agents_acting_at_once_never_lose_an_update()
    {
        var id = (await _ingest.OpenCaseAsync(_agent)).Id();
        var before = (await _agent.GetCaseAsync(id)).GetProperty("version").GetInt32();

        // Without If-Match every note lands; with the same If-Match exactly one of the racers wins.
        var notes = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => _agent.ActAsync(id, "notes", new { text = $"note {i}" })));
        Assert.All(notes, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var etag = (await _agent.GetAsync($"/api/v1/cases/{id}")).Headers.ETag!.Tag;
        var racers = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => _agent.ActAsync(id, "notes", new { text = $"guarded {i}" }, etag)));

        Assert.Single(racers, r => r.StatusCode == HttpStatusCode.OK);
        Assert.All(racers.Where(r => r.StatusCode != HttpStatusCode.OK), r => Assert.Equal(HttpStatusCode.PreconditionFailed, r.StatusCode));
        var after = await _agent.GetCaseAsync(id);
        Assert.Equal(9, after.Kinds().Count(k => k == "note"));
        Assert.Equal(before + 9, after.GetProperty("version").GetInt32());
        Assert.Equal(Enumerable.Range(0, 8).Select(i => $"note {i}").Order(), after.GetProperty("timeline").EnumerateArray().Where(e => e.Text("kind") == "note").Select(e => e.Text("text")).Where(t => t.StartsWith("note", StringComparison.Ordinal)).Order());
    }

    [Fact]
    public async Task A_redelivered_routing_event_opens_no_second_case()
    {
        var opened = await _ingest.OpenCaseAsync(_agent);

        // Deliver the FeedbackRouted event again, as if the inbox had lost its record of the first delivery and the
        // message had never been settled: the unique feedback id still keeps it to one case.
        var sqlite = factory.Provider == DatabaseProvider.Sqlite;
        var routedRow = $"\"Type\" LIKE '%FeedbackRoutedIntegrationEvent' AND \"Payload\" LIKE '%{opened.GetProperty("feedbackId").GetGuid()}%'";
        await ExecuteAsync(
            sqlite ? "DELETE FROM cases_inbox_messages" : "DELETE FROM cases.inbox_messages",
            (sqlite ? "UPDATE feedback_outbox_messages" : "UPDATE feedback.outbox_messages") + $" SET \"ProcessedAt\" = NULL, \"LockedUntil\" = NULL WHERE {routedRow}");
        await WaitUntilAsync(async () => await ScalarAsync((sqlite ? "SELECT COUNT(*) AS \"Value\" FROM feedback_outbox_messages" : "SELECT COUNT(*) AS \"Value\" FROM feedback.outbox_messages") + $" WHERE \"ProcessedAt\" IS NULL AND {routedRow}") == 0);

        var page = await _agent.GetFromJsonAsync<JsonElement>($"/api/v1/cases?customerId={opened.GetProperty("customerId").GetGuid()}");
        Assert.Single(page.GetProperty("items").EnumerateArray());
        Assert.Equal(1, await ScalarAsync(factory.Provider == DatabaseProvider.Sqlite
            ? $"SELECT COUNT(*) AS \"Value\" FROM cases_outbox_messages WHERE \"Type\" LIKE '%CaseOpenedIntegrationEvent' AND \"Payload\" LIKE '%{opened.Id()}%'"
            : $"SELECT COUNT(*) AS \"Value\" FROM cases.outbox_messages WHERE \"Type\" LIKE '%CaseOpenedIntegrationEvent' AND \"Payload\" LIKE '%{opened.Id()}%'"));
    }

    [Fact]
    public async Task Erasing_the_customer_removes_free_text_from_their_cases_and_keeps_the_facts()
    {
        var id = await CaseInAsync("inProgress");
        await _agent.ActOkAsync(id, "notes", new { text = "Called Ada on +44 20 7946 0000." });
        var resolved = await _agent.ActOkAsync(id, "resolve", new { rootCause = "billing-error", resolutionNote = "Refunded Ada's card.", customerSummary = "Dear Ada, we refunded you." });

        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync($"/api/v1/customers/{resolved.GetProperty("customerId").GetGuid()}")).StatusCode);

        JsonElement erased = default;
        for (var wait = 0; wait < 150; wait++)
        {
            erased = await _agent.GetCaseAsync(id);
            if (erased.GetProperty("routing").ValueKind == JsonValueKind.Null)
            {
                break;
            }

            await Task.Delay(100);
        }

        Assert.Equal(JsonValueKind.Null, erased.GetProperty("routing").ValueKind);
        Assert.True(!erased.GetRawText().Contains("Ada", StringComparison.Ordinal), erased.GetRawText());
        Assert.Equal(("resolved", "billing-error", "[erased]"), (erased.Text("status"), erased.GetProperty("resolution").Text("rootCause"), erased.GetProperty("resolution").Text("customerSummary")));
        Assert.Equal(resolved.Kinds(), erased.Kinds());
    }

    [Fact]
    public async Task An_action_answers_with_the_case_of_one_moment_when_another_action_commits_meanwhile()
    {
        var id = (await _ingest.OpenCaseAsync(_agent)).Id();

        // The note's answer is read after the note commits; it waits at the timeline until an escalation commits.
        var race = factory.Race.Arm(id, "escalated");
        var noting = _agent.ActAsync(id, "notes", new { text = "Called the customer." });
        await race.Reached.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var escalated = await _admin.ActOkAsync(id, "escalate", new { reason = "Key account." });
        var response = await noting;

        var noted = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(race.Forced, "The escalation did not commit while the answer waited.");
        Assert.Equal("management", escalated.Text("level"));
        // As of the note or as of the escalation after it, but one of them: the level, timeline and ETag agree.
        Assert.Contains("note", noted.Kinds());
        Assert.Equal(noted.Kinds().Contains("escalated") ? "management" : "frontline", noted.Text("level"));
        Assert.Equal($"\"{noted.GetProperty("version").GetInt32()}\"", response.Headers.ETag?.Tag);
    }

    [Fact]
    public async Task Other_modules_escalate_and_annotate_cases_through_the_module_contract()
    {
        var id = (await _ingest.OpenCaseAsync(_agent)).Id();
        var workflow = new CaseActor("system:workflow", "Loop detractor-recovery");
        using var scope = factory.Services.CreateScope();
        var cases = scope.ServiceProvider.GetRequiredService<ICasesApi>();

        var escalated = await cases.EscalateAsync(id, "No answer after two reminders.", workflow);
        var noted = await cases.RecordAsync(id, "messageSent", "Apology e-mail sent.", workflow);
        var missing = await cases.EscalateAsync(Guid.NewGuid(), "x", workflow);

        Assert.Equal((EscalationLevel.Management, EscalationLevel.Management), (escalated.Value!.Level, noted.Value!.Level));
        Assert.Equal(ClosedLoop.SharedKernel.ErrorKind.NotFound, missing.Error!.Kind);
        var read = await _agent.GetCaseAsync(id);
        Assert.Equal(["created", "escalated", "messageSent"], read.Kinds());
        Assert.Equal("system:workflow", read.GetProperty("timeline")[1].GetProperty("actor").Text("id"));
        Assert.Contains("\"automatic\":true", Assert.Single(await factory.CaseEventsAsync(id, "CaseEscalatedIntegrationEvent")), StringComparison.Ordinal);
    }

    /// <summary>A fresh case moved to <paramref name="status"/> through the API.</summary>
    private async Task<Guid> CaseInAsync(string status)
    {
        var id = (await _ingest.OpenCaseAsync(_agent)).Id();
        string[] path = status switch
        {
            "new" => [],
            "acknowledged" => ["acknowledge"],
            "inProgress" => ["acknowledge", "start"],
            "waitingOnCustomer" => ["acknowledge", "start", "wait"],
            "resolved" => ["acknowledge", "start", "resolve"],
            "closed" => ["acknowledge", "start", "resolve", "close"],
            _ => throw new ArgumentOutOfRangeException(nameof(status)),
        };
        foreach (var step in path)
        {
            _ = step switch
            {
                "start" => await _agent.ActOkAsync(id, "status", new { status = "inProgress" }),
                "wait" => await _agent.ActOkAsync(id, "status", new { status = "waitingOnCustomer" }),
                "resolve" => await _agent.ActOkAsync(id, "resolve", new { rootCause = "other", resolutionNote = "done" }),
                _ => await _agent.ActOkAsync(id, step),
            };
        }

        return id;
    }

    private async Task ExecuteAsync(params string[] statements)
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<Platform.Data.PlatformDbContext>();
        foreach (var sql in statements)
        {
            await db.Database.ExecuteSqlRawAsync(sql);
        }
    }

    private async Task<int> ScalarAsync(string sql)
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<Platform.Data.PlatformDbContext>();
        return (await db.Database.SqlQueryRaw<int>(sql).ToListAsync()).Single();
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 150 && !await condition(); i++)
        {
            await Task.Delay(100);
        }

        Assert.True(await condition(), "The condition did not hold within 15 s.");
    }
}

public sealed class SqliteCaseLifecycleTests(SqliteCasesFactory factory) : CaseLifecycleTests<SqliteCasesFactory>(factory);

public sealed class PostgresCaseLifecycleTests(PostgresCasesFactory factory) : CaseLifecycleTests<PostgresCasesFactory>(factory);
