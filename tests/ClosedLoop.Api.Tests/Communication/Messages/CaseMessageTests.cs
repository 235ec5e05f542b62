using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ClosedLoop.Api.Tests.Cases;
using ClosedLoop.Api.Tests.Infrastructure;

namespace ClosedLoop.Api.Tests.Communication.Messages;

/// <summary>
/// <c>POST /api/v1/cases/{id}/messages</c> and the message reads: a templated reply rendered for the case's customer,
/// written to the outbox, shown on the case's timeline, refused when it cannot be sent as asked.
/// </summary>
public abstract class CaseMessageTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : ApiFactory, ICasesFactory
{
    private readonly HttpClient _ingest = factory.Client(ApiFactory.IngestKey);
    private readonly HttpClient _agent = factory.Client(ApiFactory.AgentKey);
    private readonly HttpClient _admin = factory.Client(ApiFactory.AdminKey);

    [Fact]
    public async Task An_agent_sends_the_resolution_to_the_customer_and_the_timeline_records_it()
    {
        var id = (await _ingest.OpenCaseAsync(_agent)).Id();
        await _agent.ActOkAsync(id, "acknowledge", new { note = "Looking into it." });
        await _agent.ActOkAsync(id, "status", new { status = "inProgress" });
        await _agent.ActOkAsync(id, "resolve", new { rootCause = "delivery-carrier", resolutionNote = "Carrier escalation filed.", customerSummary = "We moved deliveries in your area to a second courier." });

        var response = await _agent.PostAsJsonAsync($"/api/v1/cases/{id}/messages", new { template = "resolution" });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var queued = await response.Content.ReadFromJsonAsync<JsonElement>();
        var messageId = queued.GetProperty("messageId").GetGuid();
        Assert.Equal($"/api/v1/messages/{messageId}", response.Headers.Location?.OriginalString);
        Assert.Equal("pending", queued.Text("status"));

        var message = await _agent.GetFromJsonAsync<JsonElement>($"/api/v1/messages/{messageId}");
        Assert.Equal(("email", "transactional", "resolution", id), (message.Text("channel"), message.Text("purpose"), message.Text("template"), message.GetProperty("caseId").GetGuid()));
        Assert.Contains("We moved deliveries in your area to a second courier.", message.Text("textBody"), StringComparison.Ordinal);
        Assert.Contains("We moved deliveries in your area to a second courier.", message.Text("htmlBody"), StringComparison.Ordinal);
        Assert.Contains("/u/", message.Text("textBody"), StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(message.Text("subject")));
        Assert.StartsWith("msg_", message.Text("externalId"), StringComparison.Ordinal);

        var listed = await _agent.GetFromJsonAsync<JsonElement>($"/api/v1/messages?caseId={id}");
        Assert.Equal([messageId], listed.GetProperty("items").EnumerateArray().Select(m => m.GetProperty("id").GetGuid()));

        var timeline = await WaitForKindAsync(id, "messageQueued");
        Assert.Contains(messageId.ToString(), timeline.Text("text"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_preview_renders_a_real_case_in_its_customers_language()
    {
        var item = FeedbackBuilder.Item(FeedbackBuilder.NewSource(), score: 2, comment: "Die Lieferung kam zu spät, delivery late.", customer: "c-" + Guid.NewGuid().ToString("N")[..10])
            .With("customer.language", "de-AT").With("customer.name", "Grete").With("customer.region", "EMEA");
        var id = (await _agent.CaseOfAsync(await _ingest.CreateAsync(item))).Id();
        await _agent.ActOkAsync(id, "acknowledge", new { note = "On it." });
        await _agent.ActOkAsync(id, "status", new { status = "inProgress" });
        await _agent.ActOkAsync(id, "resolve", new { rootCause = "delivery-carrier", resolutionNote = "n", customerSummary = "Zweiter Kurierdienst ab sofort." });

        var preview = await _admin.PostAsJsonAsync("/api/v1/templates/resolution/preview", new { caseId = id });

        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        var rendered = await preview.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("de", rendered.Text("language"));
        Assert.Contains("Zweiter Kurierdienst ab sofort.", rendered.Text("text"), StringComparison.Ordinal);
        Assert.Contains("Grete", rendered.Text("text"), StringComparison.Ordinal);
        var missing = await (await _admin.PostAsJsonAsync("/api/v1/templates/resolution/preview", new { caseId = Guid.NewGuid() })).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.True(missing.GetProperty("errors").TryGetProperty("caseId", out _));
    }

    [Fact]
    public async Task The_same_idempotency_key_answers_the_first_message_and_writes_nothing_new()
    {
        var id = (await _ingest.OpenCaseAsync(_agent)).Id();
        var key = Guid.NewGuid().ToString("N");

        var first = await SendAsync(id, new { template = "customer-acknowledgement" }, key);
        var again = await SendAsync(id, new { template = "customer-acknowledgement" }, key);

        Assert.Equal((HttpStatusCode.Accepted, HttpStatusCode.OK), (first.StatusCode, again.StatusCode));
        var a = await first.Content.ReadFromJsonAsync<JsonElement>();
        var b = await again.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(a.GetProperty("messageId").GetGuid(), b.GetProperty("messageId").GetGuid());
        Assert.True(b.GetProperty("duplicate").GetBoolean());
        var listed = await _admin.GetFromJsonAsync<JsonElement>($"/api/v1/messages?caseId={id}");
        Assert.Single(listed.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task A_name_or_comment_with_markup_reaches_the_html_body_escaped()
    {
        var item = FeedbackBuilder.Item(FeedbackBuilder.NewSource(), score: 1, comment: "Late again <img src=x onerror=alert(1)>", customer: "c-" + Guid.NewGuid().ToString("N")[..10])
            .With("customer.name", "<script>alert('x')</script>").With("customer.region", "EMEA").With("customer.email", "eve@example.com");
        var id = (await _agent.CaseOfAsync(await _ingest.CreateAsync(item))).Id();

        var queued = await (await SendAsync(id, new { template = "customer-acknowledgement" })).Content.ReadFromJsonAsync<JsonElement>();
        var message = await _admin.GetFromJsonAsync<JsonElement>($"/api/v1/messages/{queued.GetProperty("messageId").GetGuid()}");

        var html = message.Text("htmlBody");
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img src=x", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);
        Assert.Equal("eve@example.com", message.Text("recipient"));
    }

    [Fact]
    public async Task An_erased_customer_gets_nothing_and_the_message_is_recorded_as_suppressed()
    {
        var opened = await _ingest.OpenCaseAsync(_agent);
        var feedback = await _admin.GetFromJsonAsync<JsonElement>($"/api/v1/feedback/{opened.GetProperty("feedbackId").GetGuid()}");
        var customerId = feedback.GetProperty("customer").GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync($"/api/v1/customers/{customerId}")).StatusCode);

        var queued = await (await SendAsync(opened.Id(), new { template = "resolution" })).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(("suppressed", "customer-erased"), (queued.Text("status"), queued.Text("suppressionReason")));
        var message = await _admin.GetFromJsonAsync<JsonElement>($"/api/v1/messages/{queued.GetProperty("messageId").GetGuid()}");
        Assert.Equal(JsonValueKind.Null, message.GetProperty("recipient").ValueKind);
        Assert.Equal(JsonValueKind.Null, message.GetProperty("textBody").ValueKind);
        var suppressed = await _admin.GetFromJsonAsync<JsonElement>($"/api/v1/messages?customerId={customerId}&status=suppressed");
        Assert.Single(suppressed.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Bad_requests_are_refused_with_problems_that_say_why()
    {
        var id = (await _ingest.OpenCaseAsync(_agent)).Id();

        var @internal = await (await SendAsync(id, new { template = "case-assigned" })).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.True(@internal.GetProperty("errors").TryGetProperty("template", out _));
        await (await SendAsync(id, new { template = "no-such-template" })).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await SendAsync(id, new { })).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        var variable = await (await SendAsync(id, new { template = "resolution", variables = new Dictionary<string, string> { ["1bad"] = "x" } })).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.True(variable.GetProperty("errors").TryGetProperty("variables.1bad", out _));
        await (await SendAsync(Guid.NewGuid(), new { template = "resolution" })).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await _admin.GetAsync("/api/v1/messages?status=lost")).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        await (await _admin.GetAsync("/api/v1/messages?cursor=nope")).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        await (await _admin.GetAsync($"/api/v1/messages/{Guid.NewGuid()}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await factory.Client(ApiFactory.AnalystKey).GetAsync("/api/v1/messages")).AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task An_agent_outside_the_case_team_can_neither_send_nor_read_its_messages()
    {
        var id = (await _ingest.OpenCaseAsync(_agent)).Id();
        var queued = await (await SendAsync(id, new { template = "customer-acknowledgement" })).Content.ReadFromJsonAsync<JsonElement>();
        var (secret, _) = await _admin.CreateAgentAsync("outsider " + Guid.NewGuid().ToString("N")[..6]);
        var outsider = factory.WithKey(secret);

        await (await outsider.PostAsJsonAsync($"/api/v1/cases/{id}/messages", new { template = "resolution" })).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await outsider.GetAsync($"/api/v1/messages/{queued.GetProperty("messageId").GetGuid()}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await outsider.GetAsync($"/api/v1/messages?caseId={id}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await outsider.GetAsync("/api/v1/messages")).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
    }

    private Task<HttpResponseMessage> SendAsync(Guid caseId, object body, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/cases/{caseId}/messages") { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return _agent.SendAsync(request);
    }

    private async Task<JsonElement> WaitForKindAsync(Guid caseId, string kind)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var found = (await _agent.GetCaseAsync(caseId)).GetProperty("timeline").EnumerateArray().Where(e => e.Text("kind") == kind).ToList();
            if (found.Count > 0 || DateTime.UtcNow > deadline)
            {
                Assert.True(found.Count > 0, $"No '{kind}' entry on case {caseId} within 30 s.");
                return found[0];
            }

            await Task.Delay(100);
        }
    }
}

public sealed class SqliteCaseMessageTests(SqliteCasesFactory factory) : CaseMessageTests<SqliteCasesFactory>(factory);

public sealed class PostgresCaseMessageTests(PostgresCasesFactory factory) : CaseMessageTests<PostgresCasesFactory>(factory);
