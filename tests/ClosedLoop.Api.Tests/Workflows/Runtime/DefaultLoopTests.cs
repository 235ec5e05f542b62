using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
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
        var followUps = await _admin.GetFromJsonAsync<JsonElement>($"/api/v1/feedback?caseId={caseId}");
        Assert.Contains(followUps.GetProperty("items").EnumerateArray(), f => f.TryGetProperty("score", out var s) && s.ValueKind == JsonValueKind.Number && s.GetInt32() == 9);
    }

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
