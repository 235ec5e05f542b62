using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using ClosedLoop.Api.Tests.Cases;
using ClosedLoop.Api.Tests.Communication.Consent;
using ClosedLoop.Api.Tests.Infrastructure;
using ClosedLoop.Workflows.Runtime;

namespace ClosedLoop.Api.Tests.Communication.Workflows;

/// <summary>
/// SendSurvey and its link: the step waits on a bookmark and queues an invitation whose signed link opens a page; the
/// answer becomes new feedback linked to the case and the loop (no new case), once, with a SurveyAnswered event.
/// </summary>
public abstract partial class SurveyTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : ApiFactory, ILoopStepsFactory
{
    private readonly HttpClient _ingest = factory.Client(ApiFactory.IngestKey);
    private readonly HttpClient _admin = factory.Client(ApiFactory.AdminKey);
    private readonly HttpClient _public = factory.Client(null);

    [Fact]
    public async Task SendSurvey_waits_and_its_link_records_one_answer_as_linked_feedback_without_a_new_case()
    {
        var opened = await _ingest.OpenCaseAsync(_admin);
        var id = opened.Id();
        var instance = Guid.NewGuid();
        var now = factory.Clock.GetUtcNow();

        var result = await factory.RunAsync("SendSurvey", id, new { expiresAfter = "20.00:00:00" }, $"{instance:N}:re-survey:1", instance, "re-survey", now);

        var bookmark = Assert.IsType<ActivityResult.Waiting>(result).Bookmark;
        Assert.Equal(new BookmarkRequest("survey-answer", $"{instance:N}:re-survey", now.AddDays(20), "Answered", "Expired"), bookmark);
        var path = await SurveyPathAsync(id, "survey-invitation");

        var page = await GetPageAsync(path);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<form method=\"post\">", html, StringComparison.Ordinal);
        Assert.Equal(11, RadioButton().Matches(html).Count);
        Assert.Contains("default-src 'none'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);

        var answer = await _public.PostAsJsonAsync(path, new { score = 9, comment = "Much better now, thanks <b>team</b>." });
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var answered = await answer.Content.ReadFromJsonAsync<JsonElement>();
        var feedbackId = answered.GetProperty("feedbackId").GetGuid();

        var feedback = await _admin.GetFromJsonAsync<JsonElement>($"/api/v1/feedback/{feedbackId}");
        Assert.Equal((id, instance), (feedback.GetProperty("caseId").GetGuid(), feedback.GetProperty("loopInstanceId").GetGuid()));
        Assert.Equal(("closedloop-survey", "survey", 9, "promoter"), (feedback.Text("source"), feedback.Text("channel"), feedback.GetProperty("score").GetInt32(), feedback.Text("category")));
        Assert.Equal("Much better now, thanks <b>team</b>.", feedback.Text("comment"));
        var decision = feedback.GetProperty("routing").GetProperty("decision");
        Assert.False(decision.GetProperty("openCase").GetBoolean());
        Assert.Contains("follow-up", decision.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));

        var events = await factory.ColumnAsync("communication", "outbox_messages", "Payload", $"\"Type\" LIKE '%SurveyAnswered%' AND \"Payload\" LIKE '%{instance}%'");
        var published = JsonDocument.Parse(Assert.Single(events)).RootElement;
        Assert.Equal((id, feedbackId, "re-survey", 9), (published.GetProperty("caseId").GetGuid(), published.GetProperty("feedbackId").GetGuid(), published.Text("activityId"), published.GetProperty("score").GetInt32()));

        // The follow-up was routed (its FeedbackRouted event handled) and opened nothing.
        await WaitForProcessedAsync(feedbackId);
        var customer = feedback.GetProperty("customer").GetProperty("id").GetGuid();
        var cases = await _admin.GetFromJsonAsync<JsonElement>($"/api/v1/cases?customerId={customer}");
        Assert.Equal([id], cases.GetProperty("items").EnumerateArray().Select(c => c.Id()));

        // Exactly once: a second answer is refused and records nothing.
        var second = await _public.PostAsJsonAsync(path, new { score = 2 });
        var problem = await second.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("survey-already-answered", problem.Text("code"));
        var form = await _public.SendAsync(FormPost(path, ("score", "3")));
        Assert.Equal(HttpStatusCode.Conflict, form.StatusCode);
        Assert.Contains("already answered", await form.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Single(await factory.ColumnAsync("communication", "outbox_messages", "Payload", $"\"Type\" LIKE '%SurveyAnswered%' AND \"Payload\" LIKE '%{instance}%'"));
        var items = await _admin.GetFromJsonAsync<JsonElement>($"/api/v1/feedback?customerId={customer}");
        Assert.Single(items.GetProperty("items").EnumerateArray(), i => i.Text("source") == "closedloop-survey");
        Assert.Contains("already answered", await (await GetPageAsync(path)).Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_form_answer_gets_pages_and_validation_is_a_problem_for_json_and_a_page_for_forms()
    {
        var item = FeedbackBuilder.Item(FeedbackBuilder.NewSource(), score: 2, comment: "Die Lieferung kam zu spät.", customer: "c-" + Guid.NewGuid().ToString("N")[..10])
            .With("customer.language", "de-AT").With("customer.region", "EMEA");
        var id = (await _admin.CaseOfAsync(await _ingest.CreateAsync(item))).Id();
        var instance = Guid.NewGuid();
        Assert.IsType<ActivityResult.Waiting>(await factory.RunAsync("SendSurvey", id, new { template = "passive-nurture" }, instanceId: instance, activityId: "ask"));
        var path = await SurveyPathAsync(id, "passive-nurture");

        var page = await GetPageAsync(path);
        Assert.Contains("<html lang=\"de\">", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var invalidJson = await _public.PostAsJsonAsync(path, new { score = 11 });
        var problem = await invalidJson.AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.True(problem.GetProperty("errors").TryGetProperty("score", out _));
        var malformed = await _public.PostAsync(path, new StringContent("{\"score\":", System.Text.Encoding.UTF8, "application/json"));
        await malformed.AssertProblemAsync(HttpStatusCode.BadRequest);
        var noScore = await _public.SendAsync(FormPost(path, ("comment", "<script>alert(1)</script>")));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, noScore.StatusCode);
        var again = await noScore.Content.ReadAsStringAsync();
        Assert.Contains("&lt;script&gt;", again, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", again, StringComparison.Ordinal);

        var done = await _public.SendAsync(FormPost(path, ("score", "8"), ("comment", "Schneller liefern.")));
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Contains("Vielen Dank", await done.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Single(await factory.ColumnAsync("communication", "outbox_messages", "Payload", $"\"Type\" LIKE '%SurveyAnswered%' AND \"Payload\" LIKE '%{instance}%'"));
    }

    [Fact]
    public async Task A_tampered_expired_or_unsubscribe_token_is_refused()
    {
        var opened = await _ingest.OpenCaseAsync(_admin);
        var id = opened.Id();
        var customer = (await _admin.GetFromJsonAsync<JsonElement>($"/api/v1/feedback/{opened.GetProperty("feedbackId").GetGuid()}")).GetProperty("customer").GetProperty("id").GetGuid();
        var instance = Guid.NewGuid();
        var token = LoopSteps.SurveyToken(factory.Services, instance, "re-survey", id, customer, factory.Clock.GetUtcNow().AddDays(1));
        var tampered = token[..5] + (token[5] == 'A' ? 'B' : 'A') + token[6..];
        var expired = LoopSteps.SurveyToken(factory.Services, instance, "re-survey", id, customer, factory.Clock.GetUtcNow().AddMinutes(-1));
        var unsubscribe = CommunicationInternals.UnsubscribeToken(factory.Services, customer, factory.Clock.GetUtcNow().AddDays(1));

        Assert.Equal(HttpStatusCode.OK, (await GetPageAsync($"/s/{token}")).StatusCode);
        Assert.Equal("link-invalid", (await (await _public.GetAsync($"/s/{tampered}")).AssertProblemAsync(HttpStatusCode.NotFound)).Text("code"));
        Assert.Equal("link-expired", (await (await _public.GetAsync($"/s/{expired}")).AssertProblemAsync(HttpStatusCode.Gone)).Text("code"));
        Assert.Equal(HttpStatusCode.Gone, (await GetPageAsync($"/s/{expired}")).StatusCode);
        await (await _public.GetAsync($"/s/{unsubscribe}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await _public.PostAsJsonAsync($"/s/{tampered}", new { score = 5 })).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await _public.PostAsJsonAsync($"/s/{expired}", new { score = 5 })).AssertProblemAsync(HttpStatusCode.Gone);
        Assert.Equal(HttpStatusCode.BadRequest, (await _public.GetAsync($"/u/{token}")).StatusCode);
        Assert.Empty(await factory.ColumnAsync("communication", "outbox_messages", "Payload", $"\"Type\" LIKE '%SurveyAnswered%' AND \"Payload\" LIKE '%{instance}%'"));
    }

    [Fact]
    public async Task A_suppressed_invitation_continues_through_expired_at_once()
    {
        var opened = await _ingest.OpenCaseAsync(_admin);
        var customer = (await _admin.GetFromJsonAsync<JsonElement>($"/api/v1/feedback/{opened.GetProperty("feedbackId").GetGuid()}")).GetProperty("customer").GetProperty("id").GetGuid();
        (await _admin.PutAsJsonAsync($"/api/v1/customers/{customer}/consent", new { marketing = false })).EnsureSuccessStatusCode();

        var output = (await factory.RunAsync("SendSurvey", opened.Id(), new { })).Output("Expired");

        Assert.Equal(("suppressed", "no-consent:marketing"), (output.Text("status"), output.Text("reason")));
        Assert.IsType<ActivityResult.Faulted>(await factory.RunAsync("SendSurvey", Guid.NewGuid(), new { }));
    }

    private async Task<string> SurveyPathAsync(Guid caseId, string template)
    {
        var page = await _admin.GetFromJsonAsync<JsonElement>($"/api/v1/messages?caseId={caseId}");
        var queued = Assert.Single(page.GetProperty("items").EnumerateArray(), m => m.Text("template") == template);
        Assert.Equal("pending", queued.Text("status"));
        var message = await _admin.GetFromJsonAsync<JsonElement>($"/api/v1/messages/{queued.Id()}");
        var link = SurveyLink().Match(message.Text("textBody"));
        Assert.True(link.Success, message.Text("textBody"));
        Assert.Contains(link.Value, message.Text("htmlBody"), StringComparison.Ordinal);
        return new Uri(link.Value).AbsolutePath;
    }

    private Task<HttpResponseMessage> GetPageAsync(string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Clear();
        request.Headers.Accept.ParseAdd("text/html");
        return factory.CreateClient().SendAsync(request);
    }

    private static HttpRequestMessage FormPost(string path, params (string Name, string Value)[] fields)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields.Select(f => KeyValuePair.Create(f.Name, f.Value))) };
        request.Headers.Accept.Clear();
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
        return request;
    }

    private async Task WaitForProcessedAsync(Guid feedbackId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await factory.ColumnAsync("feedback", "outbox_messages", "Type", $"\"Type\" LIKE '%FeedbackRouted%' AND \"Payload\" LIKE '%{feedbackId}%' AND \"ProcessedAt\" IS NOT NULL")).Count == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"The FeedbackRouted event of {feedbackId} was not handled within 60 s.");
            await Task.Delay(100);
        }
    }

    [GeneratedRegex("https?://[^\\s\"<]+/s/[A-Za-z0-9_.-]+")]
    private static partial Regex SurveyLink();

    [GeneratedRegex("<input type=\"radio\" name=\"score\"")]
    private static partial Regex RadioButton();
}

public sealed class SqliteSurveyTests(SqliteLoopStepsFactory factory) : SurveyTests<SqliteLoopStepsFactory>(factory);

public sealed class PostgresSurveyTests(PostgresLoopStepsFactory factory) : SurveyTests<PostgresLoopStepsFactory>(factory);
