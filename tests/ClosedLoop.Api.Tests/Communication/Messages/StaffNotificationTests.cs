using System.Net.Http.Json;
using System.Text.Json;
using ClosedLoop.Api.Tests.Cases;
using ClosedLoop.Api.Tests.Infrastructure;

namespace ClosedLoop.Api.Tests.Communication.Messages;

/// <summary>
/// Case events reach the people who must act: the assignee when a case is assigned to them, the members of the level
/// a case was escalated to (and subscribed webhook endpoints), the assignee when an SLA target is missed.
/// </summary>
public abstract class StaffNotificationTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : ApiFactory, ICasesFactory
{
    private readonly HttpClient _ingest = factory.Client(ApiFactory.IngestKey);
    private readonly HttpClient _admin = factory.Client(ApiFactory.AdminKey);

    [Fact]
    public async Task Assignment_escalation_and_a_missed_sla_notify_the_assignee_the_level_reached_and_its_webhooks()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var fran = await _admin.CreateAgentAsync("Fran " + suffix);
        var manu = await _admin.CreateAgentAsync("Manu " + suffix);
        var team = (await _admin.CreateTeamAsync(new
        {
            key = "notify-" + suffix,
            name = "Notify team " + suffix,
            members = new object[]
            {
                new { userId = fran.UserId, name = "Fran", email = $"fran-{suffix}@example.com", level = "frontline" },
                new { userId = manu.UserId, name = "Manu", email = $"manu-{suffix}@example.com", level = "management" },
            },
        })).Text("key");
        var hook = await _admin.PostAsJsonAsync("/api/v1/webhook-endpoints", new { name = "ops " + suffix, url = "https://203.0.113.10/hooks/closedloop", events = new[] { "escalation-notice" } });
        Assert.True(hook.IsSuccessStatusCode, await hook.Content.ReadAsStringAsync());
        var id = (await _ingest.OpenCaseAsync(_admin)).Id();

        await _admin.ActOkAsync(id, "assign", new { team, assigneeId = fran.UserId });
        var assigned = await WaitForAsync(id, "case-assigned", 1);
        Assert.Equal(($"fran-{suffix}@example.com", "internal", "email"), (assigned[0].Text("recipient"), assigned[0].Text("purpose"), assigned[0].Text("channel")));

        await _admin.ActOkAsync(id, "escalate", new { reason = "Third late delivery this quarter." });
        var escalated = await WaitForAsync(id, "escalation-notice", 2);
        var email = escalated.Single(m => m.Text("channel") == "email");
        Assert.Equal($"manu-{suffix}@example.com", email.Text("recipient"));
        var body = await _admin.GetFromJsonAsync<JsonElement>($"/api/v1/messages/{email.GetProperty("id").GetGuid()}");
        Assert.Contains("Third late delivery this quarter.", body.Text("textBody"), StringComparison.Ordinal);
        var webhook = escalated.Single(m => m.Text("channel") == "webhook");
        Assert.Equal("https://203.0.113.10/hooks/closedloop", webhook.Text("recipient"));

        // Past both SLA targets: the assignee hears of each miss once.
        factory.Clock.Advance(TimeSpan.FromDays(30));
        var warnings = await WaitForAsync(id, "sla-breach-warning", 2);
        Assert.All(warnings, w => Assert.Equal($"fran-{suffix}@example.com", w.Text("recipient")));

        // Staff notifications stay off the customer's timeline.
        Assert.DoesNotContain((await _admin.GetCaseAsync(id)).Kinds(), k => k.StartsWith("message", StringComparison.Ordinal));

    }

    [Fact]
    public async Task Settled_messages_past_their_retention_are_deleted_and_messages_on_their_way_never_are()
    {
        var erased = await _ingest.OpenCaseAsync(_admin);
        var feedback = await _admin.GetFromJsonAsync<JsonElement>($"/api/v1/feedback/{erased.GetProperty("feedbackId").GetGuid()}");
        await _admin.DeleteAsync($"/api/v1/customers/{feedback.GetProperty("customer").GetProperty("id").GetGuid()}");
        var suppressed = await SendAsync(erased.Id(), "resolution");
        var pending = await SendAsync((await _ingest.OpenCaseAsync(_admin)).Id(), "customer-acknowledgement");
        Assert.Equal(("suppressed", "pending"), (suppressed.Text("status"), pending.Text("status")));

        factory.Clock.Advance(TimeSpan.FromDays(401));

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await _admin.GetAsync($"/api/v1/messages/{suppressed.GetProperty("messageId").GetGuid()}")).StatusCode != System.Net.HttpStatusCode.NotFound)
        {
            Assert.True(DateTime.UtcNow < deadline, "The suppressed message was not purged within 60 s.");
            await Task.Delay(100);
        }

        Assert.Equal("pending", (await _admin.GetFromJsonAsync<JsonElement>($"/api/v1/messages/{pending.GetProperty("messageId").GetGuid()}")).Text("status"));
    }

    private async Task<JsonElement> SendAsync(Guid caseId, string template)
    {
        var response = await _admin.PostAsJsonAsync($"/api/v1/cases/{caseId}/messages", new { template });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<List<JsonElement>> WaitForAsync(Guid caseId, string template, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var page = await _admin.GetFromJsonAsync<JsonElement>($"/api/v1/messages?caseId={caseId}");
            var found = page.GetProperty("items").EnumerateArray().Where(m => m.Text("template") == template).ToList();
            if (found.Count >= count)
            {
                Assert.Equal(count, found.Count);
                return found;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Only {found.Count} of {count} '{template}' messages for case {caseId} within 60 s: {page}");
            await Task.Delay(100);
        }
    }
}

public sealed class SqliteStaffNotificationTests(SqliteCasesFactory factory) : StaffNotificationTests<SqliteCasesFactory>(factory);

public sealed class PostgresStaffNotificationTests(PostgresCasesFactory factory) : StaffNotificationTests<PostgresCasesFactory>(factory);
