using System.Net.Http.Json;
using System.Text.Json;
using ClosedLoop.Api.Platform.Data;
using ClosedLoop.Api.Tests.Infrastructure;
using ClosedLoop.Workflows.Runtime;

namespace ClosedLoop.Api.Tests.Cases.Workflows;

/// <summary>
/// The Cases module's loop activities, run as the engine runs them (a scope, a step context, the handler found by its
/// activity type) against a case routing opened: waits, escalations, status moves and assignments, each at most once
/// per step key; the case facts and business calendar loops see; the LoopCompleted event; loops on the case detail.
/// </summary>
public abstract class CaseActivityTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : ApiFactory, ILoopFactory
{
    private readonly HttpClient _ingest = factory.Client(ApiFactory.IngestKey);
    private readonly HttpClient _agent = factory.Client(ApiFactory.AgentKey);

    // A Friday in winter: London is on UTC; cx-emea works Mon–Fri 08:00–18:00.
    private static readonly DateTimeOffset FridayFivePm = new(2026, 12, 4, 17, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Waiting_for_a_case_event_bookmarks_its_key_with_a_timeout_in_calendar_or_business_time()
    {
        var id = (await _ingest.OpenCaseAsync(_agent)).Id();

        var calendar = Assert.IsType<ActivityResult.Waiting>(await factory.RunAsync(id, "WaitForCaseEvent", "w1", FridayFivePm, inputs: [("event", "acknowledged"), ("timeout", "02:00:00")])).Bookmark;
        Assert.Equal(new BookmarkRequest("case-event", $"{id:N}:acknowledged", FridayFivePm.AddHours(2), "Done", "Timeout"), calendar);

        // One business hour left on Friday, the second from Monday 08:00.
        var business = Assert.IsType<ActivityResult.Waiting>(await factory.RunAsync(id, "WaitForCaseEvent", "w2", FridayFivePm, inputs: [("event", "resolved"), ("timeout", "02:00:00"), ("businessHours", true)])).Bookmark;
        Assert.Equal(($"{id:N}:resolved", new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero)), (business.Key, business.DueAt));

        var forever = Assert.IsType<ActivityResult.Waiting>(await factory.RunAsync(id, "WaitForCaseEvent", "w3", FridayFivePm, inputs: [("event", "customerReplied")])).Bookmark;
        Assert.Equal(("case-event", $"{id:N}:customerReplied", (DateTimeOffset?)null), (forever.Kind, forever.Key, forever.DueAt));
    }

    [Fact]
    public async Task An_event_that_already_happened_completes_the_wait_at_once()
    {
        var id = (await _ingest.OpenCaseAsync(_agent)).Id();
        await _agent.ActOkAsync(id, "acknowledge");

        Assert.Equal("Done", (await factory.RunAsync(id, "WaitForCaseEvent", "w1", inputs: [("event", "acknowledged"), ("timeout", "2.00:00:00")])).Port());
        Assert.IsType<ActivityResult.Waiting>(await factory.RunAsync(id, "WaitForCaseEvent", "w2", inputs: [("event", "resolved")]));
        Assert.IsType<ActivityResult.Waiting>(await factory.RunAsync(id, "WaitForCaseEvent", "w3", inputs: [("event", "reopened")]));

        await _agent.ActOkAsync(id, "status", new { status = "inProgress" });
        await _agent.ActOkAsync(id, "resolve", new { rootCause = "delivery-carrier", resolutionNote = "Refunded." });
        Assert.Equal("Done", (await factory.RunAsync(id, "WaitForCaseEvent", "w4", inputs: [("event", "resolved")])).Port());
        Assert.IsType<ActivityResult.Waiting>(await factory.RunAsync(id, "WaitForCaseEvent", "w5", inputs: [("event", "closed")]));
        await _agent.ActOkAsync(id, "close");
        Assert.Equal("Done", (await factory.RunAsync(id, "WaitForCaseEvent", "w6", inputs: [("event", "resolved")])).Port());
        Assert.Equal("Done", (await factory.RunAsync(id, "WaitForCaseEvent", "w7", inputs: [("event", "closed")])).Port());
    }

    [Fact]
    public async Task An_escalation_run_twice_with_the_same_step_key_escalates_once()
    {
        var id = (await _ingest.OpenCaseAsync(_agent)).Id();
        var instance = Guid.CreateVersion7();

        Assert.Equal("Done", (await factory.RunAsync(id, "EscalateCase", $"{instance:N}:esc:1", instanceId: instance, inputs: [("reason", "Nobody acknowledged it.")])).Port());
        Assert.Equal("Done", (await factory.RunAsync(id, "EscalateCase", $"{instance:N}:esc:1", instanceId: instance, inputs: [("reason", "Nobody acknowledged it.")])).Port());

        var escalated = await _agent.GetCaseAsync(id);
        Assert.Equal("management", escalated.Text("level"));
        var entry = Assert.Single(escalated.GetProperty("timeline").EnumerateArray(), e => e.Text("kind") == "escalated");
        Assert.Equal(("system:workflow", "Loop detractor-recovery", "Nobody acknowledged it."), (entry.GetProperty("actor").Text("id"), entry.GetProperty("actor").Text("name"), entry.Text("text")));
        Assert.Single(await factory.CaseEventsAsync(id, "CaseEscalatedIntegrationEvent"));

        // Another step that asks for a level the case has: Failed, with why on the timeline, once however often it runs.
        Assert.Equal("Failed", (await factory.RunAsync(id, "EscalateCase", $"{instance:N}:esc:2", inputs: [("level", "management"), ("reason", "Again.")])).Port());
        Assert.Equal("Failed", (await factory.RunAsync(id, "EscalateCase", $"{instance:N}:esc:2", inputs: [("level", "management"), ("reason", "Again.")])).Port());
        Assert.Equal("Done", (await factory.RunAsync(id, "EscalateCase", $"{instance:N}:esc:3", inputs: [("level", "executive"), ("reason", "Five days.")])).Port());
        var after = await _agent.GetCaseAsync(id);
        Assert.Equal("executive", after.Text("level"));
        Assert.Single(after.GetProperty("timeline").EnumerateArray(), e => e.Text("kind") == "workflowStepFailed");
        Assert.Equal(2, after.Kinds().Count(k => k == "escalated"));
        Assert.Equal("Failed", (await factory.RunAsync(id, "EscalateCase", $"{instance:N}:esc:4", inputs: [("reason", "Higher?")])).Port());
    }

    [Fact]
    public async Task Setting_a_status_moves_the_case_forward_once_and_a_move_the_lifecycle_forbids_leaves_through_Failed()
    {
        var id = (await _ingest.OpenCaseAsync(_agent)).Id();

        // Nobody resolved it: it cannot be closed.
        Assert.Equal("Failed", (await factory.RunAsync(id, "SetCaseStatus", "s1", inputs: [("status", "closed")])).Port());
        Assert.Equal("new", (await _agent.GetCaseAsync(id)).Text("status"));

        // A new case set to waiting on the customer is acknowledged (the loop's message was the response) and started on the way.
        Assert.Equal("Done", (await factory.RunAsync(id, "SetCaseStatus", "s2", inputs: [("status", "waitingOnCustomer"), ("note", "Asked the customer.")])).Port());
        Assert.Equal("Done", (await factory.RunAsync(id, "SetCaseStatus", "s2", inputs: [("status", "waitingOnCustomer"), ("note", "Asked the customer.")])).Port());
        var waiting = await _agent.GetCaseAsync(id);
        Assert.Equal("waitingOnCustomer", waiting.Text("status"));
        Assert.Equal(JsonValueKind.String, waiting.GetProperty("sla").GetProperty("firstResponse").GetProperty("respondedAt").ValueKind);
        var byLoop = waiting.GetProperty("timeline").EnumerateArray().Where(e => e.GetProperty("actor").Text("id") == "system:workflow").ToList();
        Assert.Single(byLoop, e => e.Text("kind") == "acknowledged");
        Assert.Equal(3, byLoop.Count(e => e.Text("kind") == "statusChanged"));
        Assert.Single(await factory.CaseEventsAsync(id, "CaseAcknowledgedIntegrationEvent"));

        // Back to in progress (resumed), then: acknowledging again goes backwards, so Failed.
        Assert.Equal("Done", (await factory.RunAsync(id, "SetCaseStatus", "s3", inputs: [("status", "inProgress")])).Port());
        Assert.Equal("Failed", (await factory.RunAsync(id, "SetCaseStatus", "s4", inputs: [("status", "acknowledged")])).Port());
        Assert.Equal("Done", (await factory.RunAsync(id, "SetCaseStatus", "s5", inputs: [("status", "inProgress")])).Port());

        // A resolved case goes nowhere but closed.
        await _agent.ActOkAsync(id, "resolve", new { rootCause = "delivery-carrier", resolutionNote = "Refunded." });
        Assert.Equal("Failed", (await factory.RunAsync(id, "SetCaseStatus", "s6", inputs: [("status", "waitingOnCustomer")])).Port());
        Assert.Equal("Done", (await factory.RunAsync(id, "SetCaseStatus", "s7", inputs: [("status", "closed")])).Port());

        var closed = await _agent.GetCaseAsync(id);
        Assert.Equal("closed", closed.Text("status"));
        Assert.Equal(3, closed.Kinds().Count(k => k == "workflowStepFailed"));
    }

    [Fact]
    public async Task Resolving_a_new_case_acknowledges_starts_and_resolves_it_once()
    {
        var id = (await _ingest.OpenCaseAsync(_agent)).Id();
        (string, object)[] inputs = [("rootCause", "no-fault-found"), ("note", "A promoter: thanked."), ("customerSummary", "Nothing to change.")];

        Assert.Equal("Done", (await factory.RunAsync(id, "ResolveCase", "r1", inputs: inputs)).Port());
        Assert.Equal("Done", (await factory.RunAsync(id, "ResolveCase", "r1", inputs: inputs)).Port());

        var resolved = await _agent.GetCaseAsync(id);
        Assert.Equal(("resolved", "no-fault-found", "Nothing to change."), (resolved.Text("status"), resolved.GetProperty("resolution").Text("rootCause"), resolved.GetProperty("resolution").Text("customerSummary")));
        Assert.Equal(JsonValueKind.String, resolved.GetProperty("sla").GetProperty("firstResponse").GetProperty("respondedAt").ValueKind);
        var entry = Assert.Single(resolved.GetProperty("timeline").EnumerateArray(), e => e.Text("kind") == "resolved");
        Assert.Equal(("system:workflow", "A promoter: thanked."), (entry.GetProperty("actor").Text("id"), entry.Text("text")));
        Assert.Single(await factory.CaseEventsAsync(id, "CaseResolvedIntegrationEvent"));

        // Another step on a case already resolved (or closed) leaves it as it is.
        await _agent.ActOkAsync(id, "close");
        Assert.Equal("Done", (await factory.RunAsync(id, "ResolveCase", "r2", inputs: [("rootCause", "other"), ("note", "Again.")])).Port());
        var closed = await _agent.GetCaseAsync(id);
        Assert.Equal(("closed", "no-fault-found"), (closed.Text("status"), closed.GetProperty("resolution").Text("rootCause")));
        Assert.Single(await factory.CaseEventsAsync(id, "CaseResolvedIntegrationEvent"));
    }

    [Fact]
    public async Task Resolving_with_a_root_cause_that_is_not_in_the_taxonomy_faults_and_changes_nothing()
    {
        var id = (await _ingest.OpenCaseAsync(_agent)).Id();

        var fault = Assert.IsType<ActivityResult.Faulted>(await factory.RunAsync(id, "ResolveCase", "r1", inputs: [("rootCause", "no-such-cause"), ("note", "Done.")]));
        Assert.Contains("no-such-cause", fault.Message, StringComparison.Ordinal);
        Assert.IsType<ActivityResult.Faulted>(await factory.RunAsync(id, "ResolveCase", "r2", inputs: [("rootCause", "other")]));

        var untouched = await _agent.GetCaseAsync(id);
        Assert.Equal(("new", JsonValueKind.Null), (untouched.Text("status"), untouched.GetProperty("sla").GetProperty("firstResponse").GetProperty("respondedAt").ValueKind));
    }

    [Fact]
    public async Task Assigning_to_a_team_moves_the_case_once()
    {
        var id = (await _ingest.OpenCaseAsync(_agent)).Id();

        Assert.Equal("Done", (await factory.RunAsync(id, "AssignCase", "a1", inputs: [("team", "billing-specialists")])).Port());
        Assert.Equal("Done", (await factory.RunAsync(id, "AssignCase", "a1", inputs: [("team", "billing-specialists")])).Port());
        Assert.Equal("Done", (await factory.RunAsync(id, "AssignCase", "a2")).Port());

        var assigned = await _agent.GetCaseAsync(id);
        Assert.Equal("billing-specialists", assigned.Text("team"));
        Assert.Single(assigned.GetProperty("timeline").EnumerateArray(), e => e.Text("kind") == "assigned" && e.GetProperty("actor").Text("id") == "system:workflow");
        Assert.IsType<ActivityResult.Faulted>(await factory.RunAsync(id, "AssignCase", "a3", inputs: [("team", "no-such-team")]));
    }

    [Fact]
    public async Task A_step_for_a_case_that_does_not_exist_faults()
    {
        var missing = Guid.CreateVersion7();
        foreach (var (type, inputs) in new (string, (string, object)[])[]
        {
            ("WaitForCaseEvent", [("event", "acknowledged")]),
            ("AssignCase", []),
            ("EscalateCase", [("reason", "Why not.")]),
            ("SetCaseStatus", [("status", "closed")]),
            ("ResolveCase", [("rootCause", "other"), ("note", "Done.")]),
        })
        {
            var fault = Assert.IsType<ActivityResult.Faulted>(await factory.RunAsync(missing, type, "x", inputs: inputs));
            Assert.Contains(missing.ToString(), fault.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Loops_see_the_case_facts_and_its_team_business_calendar()
    {
        var opened = await _ingest.OpenCaseAsync(_agent, score: 2);
        var id = opened.Id();
        using var scope = factory.Services.CreateScope();

        var facts = await scope.ServiceProvider.GetRequiredService<ICaseFactsSource>().FindAsync(id, CancellationToken.None);
        Assert.NotNull(facts);
        Assert.Equal((id, "new", "high", "cx-emea", (string?)null, "email", (int?)2, 0), (facts.Id, facts.Status, facts.Priority, facts.Team, facts.RootCause, facts.Channel, facts.Score, facts.ReopenCount));
        Assert.Equal(opened.GetProperty("openedAt").GetDateTimeOffset(), facts.OpenedAt);
        Assert.Null(facts.AcknowledgedAt);
        Assert.Null(await scope.ServiceProvider.GetRequiredService<ICaseFactsSource>().FindAsync(Guid.CreateVersion7(), CancellationToken.None));

        var calendar = scope.ServiceProvider.GetRequiredService<IBusinessCalendar>();
        Assert.Equal(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero), await calendar.AddBusinessTimeAsync(id, FridayFivePm, TimeSpan.FromHours(2), CancellationToken.None));
        Assert.Equal(new DateTimeOffset(2026, 12, 8, 8, 0, 0, TimeSpan.Zero), await calendar.AddBusinessTimeAsync(id, FridayFivePm, TimeSpan.FromHours(11), CancellationToken.None));
        Assert.Equal(FridayFivePm.AddHours(2), await calendar.AddBusinessTimeAsync(Guid.CreateVersion7(), FridayFivePm, TimeSpan.FromHours(2), CancellationToken.None));

        await _agent.ActOkAsync(id, "acknowledge");
        await _agent.ActOkAsync(id, "status", new { status = "inProgress" });
        await _agent.ActOkAsync(id, "resolve", new { rootCause = "delivery-carrier", resolutionNote = "Refunded." });
        await _agent.ActOkAsync(id, "reopen", new { reason = "Not refunded." });
        var later = await scope.ServiceProvider.GetRequiredService<ICaseFactsSource>().FindAsync(id, CancellationToken.None);
        Assert.Equal(("inProgress", 1, (string?)null), (later!.Status, later.ReopenCount, later.RootCause));
        Assert.NotNull(later.AcknowledgedAt);
    }

    [Fact]
    public async Task A_finished_loop_is_on_the_timeline_and_published_with_the_scores_before_and_after()
    {
        var id = (await _ingest.OpenCaseAsync(_agent, score: 2)).Id();
        var instance = Guid.CreateVersion7();
        var started = DateTimeOffset.UtcNow.AddDays(-15);
        var finished = started.AddDays(15).AddHours(3);
        var outputs = new Dictionary<string, JsonElement>
        {
            ["acknowledge"] = JsonSerializer.SerializeToElement(new { messageId = Guid.NewGuid() }),
            ["first-survey"] = JsonSerializer.SerializeToElement(new { score = 5, answeredAt = started.AddDays(2) }),
            ["re-survey"] = JsonSerializer.SerializeToElement(new { answer = new { score = 9, comment = "Much better." }, answeredAt = finished }),
            ["late-survey"] = JsonSerializer.SerializeToElement(new { score = 7, answeredAt = started.AddDays(3) }),
        };

        using (var scope = factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
            var finishedEvent = new WorkflowInstanceFinishedIntegrationEvent(instance, "detractor-recovery", 3, id, "completed", started, finished, outputs);
            db.Publish(finishedEvent);
            await db.SaveChangesAsync();
        }

        var shown = await _agent.CaseWithAsync(id, "loopCompleted");
        var entry = Assert.Single(shown.GetProperty("timeline").EnumerateArray(), e => e.Text("kind") == "loopCompleted");
        Assert.Contains(instance.ToString(), entry.Text("text"), StringComparison.Ordinal);
        var payload = JsonDocument.Parse(Assert.Single(await factory.CaseEventsAsync(id, "LoopCompletedIntegrationEvent"))).RootElement;

        // Answers are ordered by their own answer time; the nested one without a time of its own ranks below them.
        Assert.Equal(instance, payload.GetProperty("instanceId").GetGuid());
        Assert.Equal(("detractor-recovery", 3, "completed"), (payload.GetProperty("loop").GetString(), payload.GetProperty("version").GetInt32(), payload.GetProperty("outcome").GetString()));
        Assert.Equal((2, 7, 5), (payload.GetProperty("scoreBefore").GetInt32(), payload.GetProperty("scoreAfter").GetInt32(), payload.GetProperty("scoreChange").GetInt32()));
        Assert.Equal(TimeSpan.FromDays(15).Add(TimeSpan.FromHours(3)), TimeSpan.Parse(payload.GetProperty("duration").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(shown.GetProperty("customerId").GetGuid(), payload.GetProperty("customerId").GetGuid());

        using (var scope = factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
            db.Publish(new WorkflowInstanceFinishedIntegrationEvent(Guid.CreateVersion7(), "passive-nurture", 1, id, "cancelled", started, finished, new Dictionary<string, JsonElement>()));
            await db.SaveChangesAsync();
        }

        await _agent.CaseWithAsync(id, "loopCancelled");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        List<string> published;
        while ((published = await factory.CaseEventsAsync(id, "LoopCompletedIntegrationEvent")).Count < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        var cancelled = JsonDocument.Parse(Assert.Single(published, p => p.Contains("passive-nurture", StringComparison.Ordinal))).RootElement;
        Assert.Equal(JsonValueKind.Null, cancelled.GetProperty("scoreAfter").ValueKind);
        Assert.Equal(JsonValueKind.Null, cancelled.GetProperty("scoreChange").ValueKind);
    }

    [Fact]
    public async Task The_case_detail_shows_its_loops_and_what_they_wait_on_and_the_list_does_not()
    {
        var id = (await _ingest.OpenCaseAsync(_agent)).Id();
        var instance = Guid.CreateVersion7();
        var due = new DateTimeOffset(2026, 12, 9, 17, 0, 0, TimeSpan.Zero);
        factory.Runtime.Loops[id] =
        [
            new WorkflowInstanceSummary(instance, "detractor-recovery", 2, "waiting", FridayFivePm, null,
                [new WaitingStep("wait-first-response", "Wait for an agent (48 h)", "WaitForCaseEvent", due)]),
        ];

        var shown = await _agent.GetCaseAsync(id);
        var loop = Assert.Single(shown.GetProperty("loops").EnumerateArray());
        Assert.Equal((instance, "detractor-recovery", 2, "waiting"), (loop.GetProperty("instanceId").GetGuid(), loop.Text("definitionId"), loop.GetProperty("version").GetInt32(), loop.Text("status")));
        var wait = Assert.Single(loop.GetProperty("waitingOn").EnumerateArray());
        Assert.Equal(("wait-first-response", "Wait for an agent (48 h)", "WaitForCaseEvent", due), (wait.Text("activityId"), wait.Text("name"), wait.Text("type"), wait.GetProperty("dueAt").GetDateTimeOffset()));

        // An action answers the same detail.
        Assert.Single((await _agent.ActOkAsync(id, "notes", new { text = "Looking." })).GetProperty("loops").EnumerateArray());

        var page = await _agent.GetFromJsonAsync<JsonElement>($"/api/v1/cases?customerId={shown.GetProperty("customerId").GetGuid()}");
        Assert.False(Assert.Single(page.GetProperty("items").EnumerateArray()).TryGetProperty("loops", out _));

        var other = (await _ingest.OpenCaseAsync(_agent)).Id();
        Assert.Empty((await _agent.GetCaseAsync(other)).GetProperty("loops").EnumerateArray());
    }
}

public sealed class SqliteCaseActivityTests(SqliteLoopFactory factory) : CaseActivityTests<SqliteLoopFactory>(factory);

public sealed class PostgresCaseActivityTests(PostgresLoopFactory factory) : CaseActivityTests<PostgresLoopFactory>(factory);
