using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ClosedLoop.Api.Tests.Cases;
using ClosedLoop.Api.Tests.Infrastructure;
using ClosedLoop.Workflows.Runtime;

namespace ClosedLoop.Api.Tests.Communication.Workflows;

/// <summary>
/// The Communication module's loop steps, run directly through their handlers with a real scope (the engine that will
/// run them is not in this branch): SendMessage to the customer and to staff, once per step; onceWithin; CallWebhook.
/// </summary>
public abstract class CommunicationStepTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : ApiFactory, ILoopStepsFactory
{
    private readonly HttpClient _ingest = factory.Client(ApiFactory.IngestKey);
    private readonly HttpClient _admin = factory.Client(ApiFactory.AdminKey);

    [Fact]
    public async Task SendMessage_to_the_customer_twice_with_one_step_key_writes_one_message()
    {
        var id = (await _ingest.OpenCaseAsync(_admin)).Id();
        var step = $"{Guid.NewGuid():N}:acknowledge:1";

        var first = (await factory.RunAsync("SendMessage", id, new { template = "customer-acknowledgement" }, step)).Output();
        var again = (await factory.RunAsync("SendMessage", id, new { template = "customer-acknowledgement", to = "customer" }, step)).Output();

        Assert.Equal(("pending", false), (first.Text("status"), first.GetProperty("duplicate").GetBoolean()));
        Assert.Equal(first.GetProperty("messageId").GetGuid(), again.GetProperty("messageId").GetGuid());
        Assert.True(again.GetProperty("duplicate").GetBoolean());
        Assert.Single(await MessagesAsync(id, "customer-acknowledgement"));
    }

    [Fact]
    public async Task An_unknown_template_or_case_faults_the_step_with_a_clear_message()
    {
        var id = (await _ingest.OpenCaseAsync(_admin)).Id();

        var template = Assert.IsType<ActivityResult.Faulted>(await factory.RunAsync("SendMessage", id, new { template = "no-such-template" }));
        var missing = Guid.NewGuid();
        var supportCase = Assert.IsType<ActivityResult.Faulted>(await factory.RunAsync("SendMessage", missing, new { template = "resolution" }));
        var staff = Assert.IsType<ActivityResult.Faulted>(await factory.RunAsync("SendMessage", id, new { template = "no-such-template", to = "team" }));

        Assert.Contains("no-such-template", template.Message, StringComparison.Ordinal);
        Assert.Contains(missing.ToString(), supportCase.Message, StringComparison.Ordinal);
        Assert.Contains("no-such-template", staff.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_suppressed_customer_message_completes_with_its_reason()
    {
        var opened = await _ingest.OpenCaseAsync(_admin);
        (await _admin.PutAsJsonAsync($"/api/v1/customers/{await CustomerOfAsync(opened)}/consent", new { marketing = false })).EnsureSuccessStatusCode();

        var output = (await factory.RunAsync("SendMessage", opened.Id(), new { template = "referral-ask" })).Output();

        Assert.Equal("suppressed", output.Text("status"));
        Assert.StartsWith("no-consent", output.Text("reason"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnceWithin_skips_a_customer_who_got_the_template_within_the_window()
    {
        var opened = await _ingest.OpenCaseAsync(_admin);
        var id = opened.Id();
        var first = $"{Guid.NewGuid():N}:ask-referral:1";

        var sent = (await factory.RunAsync("SendMessage", id, new { template = "referral-ask", onceWithin = "90.00:00:00" }, first)).Output();
        var repeated = (await factory.RunAsync("SendMessage", id, new { template = "referral-ask", onceWithin = "90.00:00:00" }, first)).Output();
        var skipped = (await factory.RunAsync("SendMessage", id, new { template = "referral-ask", onceWithin = "90.00:00:00" })).Output();
        var later = (await factory.RunAsync("SendMessage", id, new { template = "referral-ask", onceWithin = "90.00:00:00" }, now: factory.Clock.GetUtcNow().AddDays(91))).Output();

        Assert.Equal("pending", sent.Text("status"));
        Assert.True(repeated.GetProperty("duplicate").GetBoolean()); // a re-run of the step answers its own message
        Assert.Equal("askedRecently", skipped.Text("skipped"));
        Assert.True(skipped.GetProperty("lastAt").GetDateTimeOffset() <= factory.Clock.GetUtcNow());
        Assert.Equal("pending", later.Text("status"));
        Assert.Equal(2, (await MessagesAsync(id, "referral-ask")).Count);
        Assert.IsType<ActivityResult.Faulted>(await factory.RunAsync("SendMessage", id, new { template = "referral-ask", onceWithin = "soon" }));
    }

    [Fact]
    public async Task SendMessage_to_the_team_or_the_assignee_notifies_the_members_once_per_step()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var fran = await _admin.CreateAgentAsync("Fran " + suffix);
        var manu = await _admin.CreateAgentAsync("Manu " + suffix);
        var team = (await _admin.CreateTeamAsync(new
        {
            key = "loop-" + suffix,
            name = "Loop team " + suffix,
            members = new object[]
            {
                new { userId = fran.UserId, name = "Fran", email = $"fran-{suffix}@example.com", level = "frontline" },
                new { userId = manu.UserId, name = "Manu", email = $"manu-{suffix}@example.com", level = "management" },
            },
        })).Text("key");
        var id = (await _ingest.OpenCaseAsync(_admin)).Id();
        await _admin.ActOkAsync(id, "assign", new { team, assigneeId = fran.UserId });
        var step = $"{Guid.NewGuid():N}:tell-team:1";

        var first = (await factory.RunAsync("SendMessage", id, new { template = "escalation-notice", to = "team" }, step)).Output();
        await factory.RunAsync("SendMessage", id, new { template = "escalation-notice", to = "team" }, step);
        var management = (await factory.RunAsync("SendMessage", id, new { template = "sla-breach-warning", to = "management" })).Output();
        var assignee = (await factory.RunAsync("SendMessage", id, new { template = "weekly-team-digest", to = "assignee" })).Output();

        Assert.Equal(("queued", 2), (first.Text("status"), first.GetProperty("recipients").GetInt32()));
        var notices = await MessagesAsync(id, "escalation-notice");
        Assert.Equal([$"fran-{suffix}@example.com", $"manu-{suffix}@example.com"], notices.Select(m => m.Text("recipient")).Order(StringComparer.Ordinal));
        Assert.All(notices, m => Assert.Equal("internal", m.Text("purpose")));
        Assert.Equal(1, management.GetProperty("recipients").GetInt32());
        Assert.Equal([$"manu-{suffix}@example.com"], (await MessagesAsync(id, "sla-breach-warning")).Select(m => m.Text("recipient")));
        Assert.Equal(1, assignee.GetProperty("recipients").GetInt32());
        Assert.Equal([$"fran-{suffix}@example.com"], (await MessagesAsync(id, "weekly-team-digest")).Select(m => m.Text("recipient")));
    }

    [Fact]
    public async Task CallWebhook_writes_one_webhook_message_for_the_endpoint_and_faults_for_an_unknown_or_disabled_one()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var created = await _admin.PostAsJsonAsync("/api/v1/webhook-endpoints", new { name = "crm " + suffix, url = "https://203.0.113.10/hooks/loops", events = new[] { "none" } });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        var id = (await _ingest.OpenCaseAsync(_admin)).Id();
        var instance = Guid.NewGuid();
        var step = $"{instance:N}:notify-crm:1";

        var first = (await factory.RunAsync("CallWebhook", id, new { endpoint = "crm " + suffix, @event = "loop.escalated" }, step, instance, "notify-crm")).Output();
        var again = (await factory.RunAsync("CallWebhook", id, new { endpoint = "crm " + suffix, @event = "loop.escalated" }, step, instance, "notify-crm")).Output();

        Assert.Equal(first.GetProperty("messageId").GetGuid(), again.GetProperty("messageId").GetGuid());
        var message = Assert.Single(await MessagesAsync(id, "loop-webhook"));
        Assert.Equal(("webhook", "https://203.0.113.10/hooks/loops"), (message.Text("channel"), message.Text("recipient")));
        Assert.StartsWith("msg_", message.Text("externalId"), StringComparison.Ordinal); // the webhook-id every signed attempt carries
        var payload = JsonDocument.Parse(Assert.Single(await factory.ColumnAsync("communication", "messages", "Payload", $"\"Id\" = '{Id(message)}'"))).RootElement;
        Assert.Equal("loop.escalated", payload.Text("type"));
        var data = payload.GetProperty("data");
        Assert.Equal((instance, "test-loop", "notify-crm", id), (data.GetProperty("instanceId").GetGuid(), data.Text("definitionId"), data.Text("activityId"), data.GetProperty("caseId").GetGuid()));
        Assert.True(data.TryGetProperty("at", out _));

        Assert.IsType<ActivityResult.Faulted>(await factory.RunAsync("CallWebhook", id, new { endpoint = "nobody " + suffix, @event = "loop.escalated" }));
        var endpointId = (await created.Content.ReadFromJsonAsync<JsonElement>()).Id();
        var disabled = await _admin.PutAsJsonAsync($"/api/v1/webhook-endpoints/{endpointId}", new { name = "crm " + suffix, url = "https://203.0.113.10/hooks/loops", events = new[] { "none" }, enabled = false });
        Assert.True(disabled.IsSuccessStatusCode, await disabled.Content.ReadAsStringAsync());
        var fault = Assert.IsType<ActivityResult.Faulted>(await factory.RunAsync("CallWebhook", id, new { endpoint = "crm " + suffix, @event = "loop.escalated" }));
        Assert.Contains("disabled", fault.Message, StringComparison.Ordinal);
    }

    private string Id(JsonElement message) =>
        factory.Provider == ClosedLoop.Persistence.DatabaseProvider.Sqlite ? message.GetProperty("id").GetGuid().ToString().ToUpperInvariant() : message.GetProperty("id").GetGuid().ToString();

    private async Task<Guid> CustomerOfAsync(JsonElement supportCase) =>
        (await _admin.GetFromJsonAsync<JsonElement>($"/api/v1/feedback/{supportCase.GetProperty("feedbackId").GetGuid()}")).GetProperty("customer").GetProperty("id").GetGuid();

    private async Task<List<JsonElement>> MessagesAsync(Guid caseId, string template)
    {
        var page = await _admin.GetFromJsonAsync<JsonElement>($"/api/v1/messages?caseId={caseId}&pageSize=100");
        return [.. page.GetProperty("items").EnumerateArray().Where(m => m.Text("template") == template)];
    }
}

public sealed class SqliteCommunicationStepTests(SqliteLoopStepsFactory factory) : CommunicationStepTests<SqliteLoopStepsFactory>(factory);

public sealed class PostgresCommunicationStepTests(PostgresLoopStepsFactory factory) : CommunicationStepTests<PostgresLoopStepsFactory>(factory);
