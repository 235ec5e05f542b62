using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ClosedLoop.Api.Tests.Cases;
using ClosedLoop.Api.Tests.Infrastructure;

namespace ClosedLoop.Api.Tests.Workflows.Runtime;

/// <summary>A host that runs the default loops, with a clock tests move and its SMTP transport on a real MailDev.</summary>
public interface ILoopHostFactory : ICasesFactory
{
    MailDevServer Mail { get; }
}

public sealed class SqliteDefaultLoopFactory : SqliteCasesFactory, ILoopHostFactory
{
    public MailDevServer Mail { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        Mail = await MailDevServer.SharedAsync();
        await base.InitializeAsync();
    }

    protected override void Configure(IDictionary<string, string?> settings)
    {
        base.Configure(settings);
        WorkflowHosts.Enable(settings);
        Mail.Configure(settings);
    }
}

public sealed class PostgresDefaultLoopFactory : PostgresCasesFactory, ILoopHostFactory
{
    public MailDevServer Mail { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        Mail = await MailDevServer.SharedAsync();
        await base.InitializeAsync();
    }

    protected override void Configure(IDictionary<string, string?> settings)
    {
        base.Configure(settings);
        WorkflowHosts.Enable(settings);
        Mail.Configure(settings);
    }
}

/// <summary>
/// The default loops end to end through the API, with time advanced by the test clock and the customer's mails read back
/// from a real SMTP server (MailDev).
/// </summary>
public abstract partial class DefaultLoopTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : ApiFactory, ILoopHostFactory
{
    private readonly HttpClient _ingest = factory.Client(ApiFactory.IngestKey);
    private readonly HttpClient _admin = factory.Client(ApiFactory.AdminKey);

    [Fact]
    public async Task Detractor_recovery_acknowledges_escalates_tells_what_changed_and_records_the_follow_up_answer()
    {
        var email = $"d-{Guid.NewGuid():N}@example.com";
        var item = FeedbackBuilder.Item(FeedbackBuilder.NewSource(), score: 2, comment: "Delivery was two weeks late.", customer: "c-" + Guid.NewGuid().ToString("N")[..10])
            .With("customer.email", email).With("customer.region", "EMEA").With("customer.segment", "smb").With("customer.accountValue", 5_000);
        var feedbackId = await _ingest.CreateAsync(item);
        var opened = await _admin.CaseOfAsync(feedbackId);
        var caseId = opened.Id();
        Assert.Equal("detractor-recovery", opened.GetProperty("loop").GetString());

        // Within minutes, not 24 hours: the acknowledgement arrives at the customer's SMTP server.
        var acknowledgement = Assert.Single(await factory.Mail.MailsToAsync(email));
        Assert.Contains("received your feedback", acknowledgement.GetProperty("subject").GetString(), StringComparison.OrdinalIgnoreCase);
        var instance = await LoopAsync(caseId, l => l.GetProperty("waitingOn").EnumerateArray().Any(w => w.GetProperty("activityId").GetString() == "wait-first-response"));

        // Untouched for 48 hours: management (the SLA monitor may get there first, on the breached first response; the
        // loop's escalation then leaves through Failed and the loop waits for the resolution).
        factory.Clock.Advance(TimeSpan.FromHours(49));
        await WaitForCaseAsync(caseId, c => c.GetProperty("level").GetString() == "management");
        await LoopAsync(caseId, l => l.GetProperty("waitingOn").EnumerateArray().Any(w => w.GetProperty("activityId").GetString() is "wait-management" or "wait-resolved"));

        // Management takes it on and resolves it: the customer hears what changed.
        await _admin.ActOkAsync(caseId, "acknowledge", new { note = "On it." });
        await _admin.ActOkAsync(caseId, "status", new { status = "inProgress" });
        await _admin.ActOkAsync(caseId, "resolve", new { rootCause = "delivery-carrier", resolutionNote = "Second courier.", customerSummary = "We moved deliveries in your area to a second courier." });
        var mails = await factory.Mail.MailsToAsync(email, 2);
        Assert.Contains(mails, m => m.GetProperty("text").GetString()!.Contains("second courier", StringComparison.Ordinal));
        await LoopAsync(caseId, l => l.GetProperty("waitingOn").EnumerateArray().Any(w => w.GetProperty("activityId").GetString() == "wait-14-days"));

        // Two weeks later: the follow-up survey, whose answer is new feedback on the case and ends the loop.
        factory.Clock.Advance(TimeSpan.FromDays(15));
        mails = await factory.Mail.MailsToAsync(email, 3);
        var link = SurveyLink().Match(mails[^1].GetProperty("text").GetString()!);
        Assert.True(link.Success, $"No survey link in: {mails[^1].GetProperty("text").GetString()}");
        var answered = await factory.Client(null).PostAsJsonAsync($"/s/{link.Groups[1].Value}", new { score = 9, comment = "Much better now." });
        Assert.True(answered.IsSuccessStatusCode, await answered.Content.ReadAsStringAsync());

        var done = await _admin.InstanceAsync(instance, i => i.Status() == "completed");
        Assert.Contains(("re-survey", "resumed"), done.Log());
        var timeline = await WaitForCaseAsync(caseId, c => c.Kinds().Contains("loopCompleted"));
        Assert.Contains("escalated", timeline.Kinds());
        var followUp = Assert.Single(await FollowUpsAsync(opened));
        Assert.Equal((9, "Much better now.", instance), (followUp.GetProperty("score").GetInt32(), followUp.Text("comment"), followUp.GetProperty("loopInstanceId").GetGuid()));

        // The case's own list: the item it was opened for and the answer its loop collected, nobody else's.
        var ofCase = await _admin.AllAsync($"caseId={caseId}");
        Assert.Equal(
            new[] { opened.GetProperty("feedbackId").GetGuid(), followUp.GetProperty("id").GetGuid() }.Order(),
            ofCase.Select(f => f.GetProperty("id").GetGuid()).Order());
    }

    [Fact]
    public async Task Passive_nurture_asks_what_would_make_it_a_10_and_puts_the_answer_in_front_of_the_team()
    {
        // A content passive (the `passive` rule): a low-priority case, not assigned, that its loop works.
        var email = $"p-{Guid.NewGuid():N}@example.com";
        var opened = await OpenAsync(email, 8, "Good product, a bit pricey.", "LATAM");
        var caseId = opened.Id();
        Assert.Equal(("passive-nurture", "cx-latam", "low"), (opened.Text("loop"), opened.Text("team"), opened.Text("priority")));
        Assert.Equal(JsonValueKind.Null, opened.GetProperty("assigneeId").ValueKind);

        var invitation = Assert.Single(await factory.Mail.MailsToAsync(email));
        Assert.Contains("What would make it a 10", invitation.Text("subject"), StringComparison.Ordinal);
        var link = SurveyLink().Match(invitation.Text("text"));
        Assert.True(link.Success, $"No survey link in: {invitation.Text("text")}");
        var instance = await LoopAsync(caseId, l => l.Waiting().Contains("ask"));

        // While the loop waits for the answer, the case waits on the customer: the loop's question was the first
        // response, and the clocks are paused, so two weeks of waiting breach nothing.
        var waiting = await _admin.GetCaseAsync(caseId);
        Assert.Equal(("waitingOnCustomer", true), (waiting.Text("status"), waiting.GetProperty("sla").GetProperty("resolution").GetProperty("paused").GetBoolean()));
        Assert.Equal(JsonValueKind.String, waiting.GetProperty("sla").GetProperty("firstResponse").GetProperty("respondedAt").ValueKind);
        Assert.Contains(waiting.GetProperty("timeline").EnumerateArray(), e => e.Text("kind") == "acknowledged" && e.GetProperty("actor").Text("id") == "system:workflow");

        // Nobody in the team was there when the feedback came; by the time the customer answers, someone is.
        var member = await AddMemberAsync("cx-latam");
        var answered = await factory.Client(null).PostAsJsonAsync($"/s/{link.Groups[1].Value}", new { score = 8, comment = "A clearer setup guide would make it a 10." });
        Assert.True(answered.StatusCode == HttpStatusCode.OK, await answered.Content.ReadAsStringAsync());
        var feedbackId = (await answered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("feedbackId").GetGuid();

        var done = await _admin.InstanceAsync(instance, i => i.Status() == "completed");
        Assert.Equal(
            [("wait-on-customer", "completed", "Done"), ("ask", "waiting", null), ("ask", "resumed", "Answered"), ("follow-up", "completed", "Done"), ("end", "completed", "Done")],
            Steps(done).Where(s => s.Activity != "start"));
        Assert.Equal(feedbackId, done.GetProperty("outputs").GetProperty("ask").GetProperty("feedbackId").GetGuid());

        // The loop's AssignCase gave the case to the team's available member, who was told (case-assigned); the answer
        // is on the timeline, and the case is back in progress for the member to follow up.
        var worked = await WaitForCaseAsync(caseId, c => c.Kinds().Contains("loopCompleted") && c.Kinds().Contains("customerReplied"));
        Assert.Equal((member.UserId, "inProgress"), (worked.Text("assigneeId"), worked.Text("status")));
        var reply = Assert.Single(worked.GetProperty("timeline").EnumerateArray(), e => e.Text("kind") == "customerReplied");
        Assert.Contains("8/10", reply.Text("text"), StringComparison.Ordinal);
        Assert.Contains("A clearer setup guide would make it a 10.", reply.Text("text"), StringComparison.Ordinal);
        Assert.Contains(worked.GetProperty("timeline").EnumerateArray(), e => e.Text("kind") == "assigned" && e.GetRawText().Contains("passive-nurture", StringComparison.Ordinal));
        Assert.Single(await factory.Mail.MailsToAsync(member.Email));

        var followUp = Assert.Single(await FollowUpsAsync(opened));
        Assert.Equal((feedbackId, 8, "A clearer setup guide would make it a 10."), (followUp.GetProperty("id").GetGuid(), followUp.GetProperty("score").GetInt32(), followUp.Text("comment")));
    }

    [Fact]
    public async Task Passive_nurture_resolves_the_case_when_the_survey_link_expires_unanswered()
    {
        // An unhappy passive (`passive-unhappy`): a normal-priority case, the same loop.
        var email = $"p-{Guid.NewGuid():N}@example.com";
        var opened = await OpenAsync(email, 8, "Setup was confusing and the interface is clunky.", "APAC");
        var caseId = opened.Id();
        Assert.Equal(("passive-nurture", "normal"), (opened.Text("loop"), opened.Text("priority")));
        var invitation = Assert.Single(await factory.Mail.MailsToAsync(email));
        var link = SurveyLink().Match(invitation.Text("text"));
        Assert.True(link.Success, $"No survey link in: {invitation.Text("text")}");
        var instance = await LoopAsync(caseId, l => l.Waiting().Contains("ask"));

        // The link is open for 14 days.
        factory.Clock.Advance(TimeSpan.FromDays(15));
        var done = await _admin.InstanceAsync(instance, i => i.Status() == "completed");
        Assert.Equal(
            [("wait-on-customer", "completed", "Done"), ("ask", "waiting", null), ("ask", "resumed", "Expired"), ("still-waiting", "completed", "True"), ("rest", "completed", "Done"), ("end", "completed", "Done")],
            Steps(done).Where(s => s.Activity != "start"));

        // Nobody answered, so there is nothing to follow up: the loop resolved the case, within its SLA (paused while
        // waiting on the customer).
        var rested = await WaitForCaseAsync(caseId, c => c.Kinds().Contains("loopCompleted"));
        Assert.Equal(("resolved", "no-fault-found"), (rested.Text("status"), rested.GetProperty("resolution").Text("rootCause")));
        var resolved = Assert.Single(rested.GetProperty("timeline").EnumerateArray(), e => e.Text("kind") == "resolved");
        Assert.Equal("system:workflow", resolved.GetProperty("actor").Text("id"));
        Assert.DoesNotContain("slaBreached", rested.Kinds());

        var late = await factory.Client(null).PostAsJsonAsync($"/s/{link.Groups[1].Value}", new { score = 9 });
        Assert.Equal(HttpStatusCode.Gone, late.StatusCode);
        Assert.Empty(await FollowUpsAsync(opened));
    }

    [Fact]
    public async Task Promoter_advocacy_thanks_and_asks_for_a_referral_at_most_once_in_90_days()
    {
        // The default rules open a low-priority case for every promoter, not assigned to anyone: its loop works it.
        var source = FeedbackBuilder.NewSource();
        var customer = "c-" + Guid.NewGuid().ToString("N")[..10];
        var email = $"pr-{Guid.NewGuid():N}@example.com";

        var first = await PromoterLoopAsync(source, customer, email);
        Assert.Equal("pending", first.GetProperty("outputs").GetProperty("ask-referral").Text("status"));
        var mails = await factory.Mail.MailsToAsync(email, 2);
        Assert.Equal(2, mails.Count);

        // Nothing to fix: the loop resolved the case (acknowledged on the way: its thanks were the first response).
        var firstCase = await WaitForCaseAsync(first.GetProperty("caseId").GetGuid(), c => c.Kinds().Contains("loopCompleted"));
        Assert.Equal(("resolved", "no-fault-found", "low"), (firstCase.Text("status"), firstCase.GetProperty("resolution").Text("rootCause"), firstCase.Text("priority")));
        Assert.Equal(JsonValueKind.Null, firstCase.GetProperty("assigneeId").ValueKind);
        Assert.Equal(
            ["acknowledged", "resolved"],
            firstCase.GetProperty("timeline").EnumerateArray().Where(e => e.GetProperty("actor").Text("id") == "system:workflow" && e.Text("kind") is "acknowledged" or "resolved").Select(e => e.Text("kind")));
        Assert.Single(mails, m => m.Text("subject").StartsWith("Thank you", StringComparison.Ordinal));
        Assert.Single(mails, IsReferralAsk);

        // A month later the same customer is a promoter again: another case, thanks again, no second referral ask. (Each
        // feedback opens its own case; the first one's state does not matter.)
        factory.Clock.Advance(TimeSpan.FromDays(30));
        var second = await PromoterLoopAsync(source, customer, email);
        var skipped = second.GetProperty("outputs").GetProperty("ask-referral");
        Assert.Equal("askedRecently", skipped.Text("skipped"));
        Assert.Contains(("ask-referral", "completed", "Done"), Steps(second));
        mails = await factory.Mail.MailsToAsync(email, 3);
        Assert.Equal(2, mails.Count(m => m.Text("subject").StartsWith("Thank you", StringComparison.Ordinal)));
        Assert.Single(mails, IsReferralAsk);

        // Past 90 days since the ask, the next promoter feedback asks again.
        factory.Clock.Advance(TimeSpan.FromDays(61));
        var third = await PromoterLoopAsync(source, customer, email);
        Assert.Equal("pending", third.GetProperty("outputs").GetProperty("ask-referral").Text("status"));
        mails = await factory.Mail.MailsToAsync(email, 5);
        Assert.Equal(2, mails.Count(IsReferralAsk));
    }

    private static bool IsReferralAsk(JsonElement mail) => mail.Text("subject").StartsWith("Would you recommend us", StringComparison.Ordinal);

    /// <summary>Posts a promoter's feedback for <paramref name="customer"/> and waits for its case's loop to complete; returns the instance.</summary>
    private async Task<JsonElement> PromoterLoopAsync(string source, string customer, string email)
    {
        var item = FeedbackBuilder.Item(source, score: 10, comment: "Love it, fast delivery and great quality!", customer: customer)
            .With("customer.email", email).With("customer.region", "US").With("customer.segment", "smb").With("customer.accountValue", 900);
        var opened = await _admin.CaseOfAsync(await _ingest.CreateAsync(item));
        Assert.Equal(("promoter-advocacy", JsonValueKind.Null), (opened.Text("loop"), opened.GetProperty("assigneeId").ValueKind));
        var instance = await LoopAsync(opened.Id(), l => l.GetProperty("definitionId").GetString() == "promoter-advocacy");
        var done = await _admin.InstanceAsync(instance, i => i.Status() == "completed");
        Assert.Contains(("thank", "completed", "Done"), Steps(done));
        return done;
    }

    /// <summary>Posts feedback from a new customer with <paramref name="email"/> and returns the case it opened.</summary>
    private async Task<JsonElement> OpenAsync(string email, int score, string comment, string region)
    {
        var item = FeedbackBuilder.Item(FeedbackBuilder.NewSource(), score: score, comment: comment, customer: "c-" + Guid.NewGuid().ToString("N")[..10])
            .With("customer.email", email).With("customer.region", region).With("customer.segment", "smb").With("customer.accountValue", 900);
        return await _admin.CaseOfAsync(await _ingest.CreateAsync(item));
    }

    /// <summary>Adds an available frontline member with an e-mail address to a team, as an admin does (GET, then PUT with its ETag).</summary>
    private async Task<(string UserId, string Email)> AddMemberAsync(string teamKey)
    {
        var read = await _admin.GetAsync($"/api/v1/teams/{teamKey}");
        var team = JsonNode.Parse(await read.Content.ReadAsStringAsync())!.AsObject();
        var (userId, email) = ("u-" + Guid.NewGuid().ToString("N")[..8], $"m-{Guid.NewGuid():N}@example.com");
        team["members"]!.AsArray().Add(new JsonObject { ["userId"] = userId, ["name"] = "Marta", ["email"] = email, ["level"] = "frontline", ["available"] = true });
        foreach (var generated in new[] { "id", "key", "createdAt", "updatedAt", "version" })
        {
            team.Remove(generated);
        }

        var put = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/teams/{teamKey}") { Content = new StringContent(team.ToJsonString(), Encoding.UTF8, "application/json") };
        put.Headers.TryAddWithoutValidation("If-Match", read.Headers.ETag!.Tag);
        var replaced = await _admin.SendAsync(put);
        Assert.True(replaced.IsSuccessStatusCode, await replaced.Content.ReadAsStringAsync());
        return (userId, email);
    }

    /// <summary>The follow-up answers recorded on a case: the feedback listed under its <c>caseId</c> other than the item that opened it.</summary>
    private async Task<List<JsonElement>> FollowUpsAsync(JsonElement supportCase)
    {
        var (caseId, opening) = (supportCase.Id(), supportCase.GetProperty("feedbackId").GetGuid());
        var items = await _admin.AllAsync($"caseId={caseId}");
        Assert.Contains(items, f => f.GetProperty("id").GetGuid() == opening);
        var followUps = items.Where(f => f.GetProperty("id").GetGuid() != opening).ToList();
        Assert.All(followUps, f => Assert.Equal(("closedloop-survey", "survey", caseId), (f.Text("source"), f.Text("channel"), f.GetProperty("caseId").GetGuid())));
        return followUps;
    }

    /// <summary>The instance's log as (activity, outcome, port), oldest first.</summary>
    private static List<(string Activity, string Outcome, string? Port)> Steps(JsonElement instance) =>
        [.. instance.GetProperty("log").EnumerateArray().OrderBy(e => e.GetProperty("sequence").GetInt32())
            .Select(e => (e.Text("activityId"), e.Text("outcome"), e.GetProperty("port").GetString()))];

    private async Task<Guid> LoopAsync(Guid caseId, Func<JsonElement, bool> until)
    {
        var found = await WaitForCaseAsync(caseId, c => c.GetProperty("loops").EnumerateArray().Any(until));
        return found.GetProperty("loops").EnumerateArray().First(until).GetProperty("instanceId").GetGuid();
    }

    private async Task<JsonElement> WaitForCaseAsync(Guid caseId, Func<JsonElement, bool> until)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        JsonElement last = default;
        while (DateTime.UtcNow < deadline)
        {
            last = await _admin.GetCaseAsync(caseId);
            if (until(last))
            {
                return last;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"Case {caseId} never reached the expected state; last seen: {last}");
        return last;
    }

    [GeneratedRegex(@"/s/([A-Za-z0-9_\-\.]+)")]
    private static partial Regex SurveyLink();
}

public sealed class SqliteDefaultLoopTests(SqliteDefaultLoopFactory factory) : DefaultLoopTests<SqliteDefaultLoopFactory>(factory);

public sealed class PostgresDefaultLoopTests(PostgresDefaultLoopFactory factory) : DefaultLoopTests<PostgresDefaultLoopFactory>(factory);
