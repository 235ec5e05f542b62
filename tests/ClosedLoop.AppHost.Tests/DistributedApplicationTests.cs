using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace ClosedLoop.AppHost.Tests;

/// <summary>
/// The AppHost's application model, run for real by Aspire.Hosting.Testing: DCP starts the API (and PostgreSQL from
/// the installed server binaries), the tests call the API on its port, and disposing the application leaves no API or
/// PostgreSQL process behind.
/// </summary>
public sealed class DistributedApplicationTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task The_default_start_serves_the_api_on_sqlite_and_disposal_stops_it()
    {
        var (port, data) = (Ports.FreeTcpPort(), NewDataFolder());
        await using (var app = await StartAsync(["--port", $"{port}", "--data", data], "api"))
        {
            using var http = Client(port);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/swagger/v1/swagger.json")).StatusCode);
            var id = await SubmitAsync(http, "sqlite-1");
            await WaitForCaseAsync(http, id);
            Assert.True(File.Exists(Path.Combine(data, "closedloop.db")), "the SQLite database lives in the data folder");
        }

        await Leftovers.AssertNoneAsync(Patience, data, $"localhost:{port}");
    }

    [Fact]
    public async Task Postgres_runs_from_the_installed_binaries_and_disposal_stops_it()
    {
        var (port, data) = (Ports.FreeTcpPort(), NewDataFolder());
        await using (var app = await StartAsync(["--port", $"{port}", "--data", data, "--postgres"], "api"))
        {
            var connection = await app.GetConnectionStringAsync("postgres");
            Assert.Contains("Database=closedloop", connection, StringComparison.Ordinal);
            using var http = Client(port);
            var id = await SubmitAsync(http, "pg-1");
            await WaitForCaseAsync(http, id);
            Assert.True(File.Exists(Path.Combine(data, "postgres", "data", "PG_VERSION")), "initdb ran in the data folder");
        }

        await Leftovers.AssertNoneAsync(Patience, data, $"localhost:{port}");
    }

    [Fact]
    public async Task Two_replicas_on_one_postgres_handle_each_outbox_message_once()
    {
        var (port, data) = (Ports.FreeTcpPorts(2), NewDataFolder());
        await using (var app = await StartAsync(["--port", $"{port}", "--data", data, "--postgres", "--replicas", "2"], "api", "api-2"))
        {
            using var first = Client(port);
            using var second = Client(port + 1);
            var ids = new List<Guid>();
            for (var i = 0; i < 20; i++)
            {
                // Alternating replicas: each one's dispatcher and sweeper race for every other one's outbox messages.
                ids.Add(await SubmitAsync(i % 2 == 0 ? first : second, $"replica-{i}"));
            }

            var cases = new List<Guid>();
            foreach (var id in ids)
            {
                cases.Add(await WaitForCaseAsync(cases.Count % 2 == 0 ? second : first, id));
            }

            Assert.Equal(ids.Count, cases.Distinct().Count());
            var listed = await first.GetFromJsonAsync<JsonElement>($"/api/v1/cases?pageSize=500");
            var opened = listed.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("feedbackId").GetGuid()).Where(ids.Contains).ToList();
            Assert.Equal(ids.Order(), opened.Order());
        }

        await Leftovers.AssertNoneAsync(Patience, data, $"localhost:{port}", $"localhost:{port + 1}");
    }

    [Fact]
    public async Task Smtp_runs_maildev_and_a_resolved_case_s_customer_reads_what_we_changed_there()
    {
        var (port, smtp, web, data) = (Ports.FreeTcpPort(), Ports.FreeTcpPort(), Ports.FreeTcpPort(), NewDataFolder());
        await using (var app = await StartAsync(["--port", $"{port}", "--data", data, "--smtp", "--smtp-port", $"{smtp}", "--smtp-web-port", $"{web}"], "maildev", "api"))
        {
            // What a new user does from Swagger: a detractor's case is worked, resolved, and the customer told.
            using var http = Client(port);
            var email = $"ada-{Guid.NewGuid():N}@example.com";
            var caseId = await WaitForCaseAsync(http, await SubmitAsync(http, "smtp-1", email));
            foreach (var (action, body) in new (string, object)[]
            {
                ("acknowledge", new { note = "Sorry, looking into it." }),
                ("status", new { status = "inProgress" }),
                ("resolve", new { rootCause = "delivery-carrier", resolutionNote = "Second courier booked.", customerSummary = "We moved deliveries in your area to a second courier." }),
            })
            {
                var acted = await http.PostAsJsonAsync($"/api/v1/cases/{caseId}/{action}", body);
                Assert.True(acted.IsSuccessStatusCode, $"{action}: {(int)acted.StatusCode} {await acted.Content.ReadAsStringAsync()}");
            }

            var sent = await http.PostAsJsonAsync($"/api/v1/cases/{caseId}/messages", new { template = "resolution" });
            Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
            var messageId = (await sent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("messageId").GetGuid();

            using var maildev = new HttpClient { BaseAddress = new Uri($"http://localhost:{web}") };
            var mail = await WaitForMailAsync(maildev, email, messageId);
            Assert.Contains("We moved deliveries in your area to a second courier.", mail.GetProperty("text").GetString(), StringComparison.Ordinal);
            Assert.Contains("We moved deliveries in your area to a second courier.", mail.GetProperty("html").GetString(), StringComparison.Ordinal);
            var headers = mail.GetProperty("headers");
            Assert.Contains(messageId.ToString("N"), headers.GetProperty("message-id").GetString(), StringComparison.Ordinal);
            Assert.Equal("List-Unsubscribe=One-Click", headers.GetProperty("list-unsubscribe-post").GetString());

            // The server has it; the dispatcher records that right after (its outcomes are committed in groups).
            var deadline = DateTime.UtcNow + Patience;
            JsonElement message;
            while ((message = await http.GetFromJsonAsync<JsonElement>($"/api/v1/messages/{messageId}")).GetProperty("status").GetString() != "sent")
            {
                Assert.True(DateTime.UtcNow < deadline, $"Message {messageId} is in MailDev but not recorded as sent: {message}");
                await Task.Delay(250);
            }

            // The customer's unsubscribe link, as the mail carries it, withdraws marketing consent without a login.
            var link = headers.GetProperty("list-unsubscribe").GetString()!.Trim('<', '>');
            using var anonymous = new HttpClient();
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(link)).StatusCode);
            var customerId = message.GetProperty("customerId").GetGuid();
            var consent = await http.GetFromJsonAsync<JsonElement>($"/api/v1/customers/{customerId}/consent");
            Assert.False(consent.GetProperty("marketing").GetBoolean());
        }

        await Leftovers.AssertNoneAsync(Patience, data, $"localhost:{port}", $"--web {web}");
    }

    /// <summary>
    /// Issue 19's "done when": on a fresh AppHost with MailDev, an admin publishes detractor-recovery with short waits
    /// (as from Swagger); a frontline detractor's customer gets the acknowledgement, the untouched case escalates to
    /// management on the timer, the agent resolves it, the customer reads what changed and later the follow-up survey,
    /// whose answer is new feedback on the case and completes the loop. Real time throughout: about a minute.
    /// </summary>
    [Fact]
    public async Task Smtp_detractor_recovery_with_short_waits_closes_the_loop_in_maildev()
    {
        var (port, smtp, web, data) = (Ports.FreeTcpPort(), Ports.FreeTcpPort(), Ports.FreeTcpPort(), NewDataFolder());
        await using (var app = await StartAsync(["--port", $"{port}", "--data", data, "--smtp", "--smtp-port", $"{smtp}", "--smtp-web-port", $"{web}"], "maildev", "api"))
        {
            using var admin = Client(port);
            using var agent = Client(port, "dev-agent-key");
            using var maildev = new HttpClient { BaseAddress = new Uri($"http://localhost:{web}") };
            var version = await PublishShortDetractorRecoveryAsync(admin);

            // Frontline: no account value over 100,000, not enterprise (rules/README.md, routing).
            var email = $"ada-{Guid.NewGuid():N}@example.com";
            var feedbackId = await SubmitAsync(admin, "loop-1", email);
            var caseId = await WaitForCaseAsync(admin, feedbackId);
            var opened = await agent.GetFromJsonAsync<JsonElement>($"/api/v1/cases/{caseId}");
            Assert.Equal(("frontline", "detractor-recovery"), (opened.GetProperty("level").GetString(), opened.GetProperty("loop").GetString()));
            var instance = await InstanceOfAsync(admin, caseId);
            Assert.Equal(version, (await admin.GetFromJsonAsync<JsonElement>($"/api/v1/workflow-instances/{instance}")).GetProperty("version").GetInt32());

            var acknowledgement = await WaitForMailAsync(maildev, email, m => Subject(m).StartsWith("We received your feedback", StringComparison.Ordinal));
            output.WriteLine($"acknowledgement: {Subject(acknowledgement)}");

            // Nobody acknowledges: after 20 s the loop escalates to management.
            var escalated = await WaitForAsync(agent, $"/api/v1/cases/{caseId}", c => c.GetProperty("level").GetString() != "frontline", "the case to leave frontline");
            Assert.Equal("management", escalated.GetProperty("level").GetString());
            Assert.Contains(escalated.GetProperty("timeline").EnumerateArray(), e => e.GetProperty("kind").GetString() == "escalated");

            const string summary = "We moved deliveries in your area to a second courier.";
            foreach (var (action, body) in new (string, object)[]
            {
                ("acknowledge", new { note = "Sorry, looking into it." }),
                ("status", new { status = "inProgress" }),
                ("resolve", new { rootCause = "delivery-carrier", resolutionNote = "Second courier booked.", customerSummary = summary }),
            })
            {
                var acted = await agent.PostAsJsonAsync($"/api/v1/cases/{caseId}/{action}", body);
                Assert.True(acted.IsSuccessStatusCode, $"{action}: {(int)acted.StatusCode} {await acted.Content.ReadAsStringAsync()}");
            }

            var resolution = await WaitForMailAsync(maildev, email, m => Subject(m).StartsWith("Here's what we changed", StringComparison.Ordinal));
            Assert.Contains(summary, resolution.GetProperty("text").GetString(), StringComparison.Ordinal);

            // Ten seconds later (the shortened two weeks): the follow-up survey, answered from its link as a program would.
            var invitation = await WaitForMailAsync(maildev, email, m => Subject(m).StartsWith("How did we do", StringComparison.Ordinal));
            var link = System.Text.RegularExpressions.Regex.Match(invitation.GetProperty("text").GetString()!, @"http://\S+/s/[A-Za-z0-9_\-\.]+");
            Assert.True(link.Success, $"No survey link in: {invitation.GetProperty("text").GetString()}");
            using var customer = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
            customer.DefaultRequestHeaders.Accept.Add(new System.Net.Http.Headers.MediaTypeWithQualityHeaderValue("application/json"));
            var answered = await customer.PostAsJsonAsync(link.Value, new { score = 9, comment = "Much better now." });
            Assert.True(answered.StatusCode == HttpStatusCode.OK, $"{(int)answered.StatusCode}: {await answered.Content.ReadAsStringAsync()}");
            var followUpId = (await answered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("feedbackId").GetGuid();

            var done = await WaitForAsync(admin, $"/api/v1/workflow-instances/{instance}", i => i.GetProperty("status").GetString() is "completed" or "faulted", "the loop to finish");
            Assert.Equal("completed", done.GetProperty("status").GetString());
            var followUp = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/feedback/{followUpId}");
            Assert.Equal((caseId, instance, 9), (followUp.GetProperty("caseId").GetGuid(), followUp.GetProperty("loopInstanceId").GetGuid(), followUp.GetProperty("score").GetInt32()));
            var customerId = opened.GetProperty("customerId").GetGuid();
            var ofCustomer = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/feedback?customerId={customerId}");
            Assert.Contains(ofCustomer.GetProperty("items").EnumerateArray(), f => f.GetProperty("id").GetGuid() == followUpId);
            await WaitForAsync(agent, $"/api/v1/cases/{caseId}", c => c.GetProperty("timeline").EnumerateArray().Any(e => e.GetProperty("kind").GetString() == "loopCompleted"), "loopCompleted on the timeline");
        }

        await Leftovers.AssertNoneAsync(Patience, data, $"localhost:{port}", $"--web {web}");
    }

    /// <summary>
    /// What an admin does in Swagger: reads detractor-recovery, shortens its waits (48 h and 3 days to 20 s, two weeks to
    /// 10 s; everything else as in workflows/detractor-recovery.json), saves the draft with the ETag and publishes it.
    /// </summary>
    private static async Task<int> PublishShortDetractorRecoveryAsync(HttpClient admin)
    {
        const string path = "/api/v1/workflow-definitions/detractor-recovery";
        var read = await admin.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        var definition = System.Text.Json.Nodes.JsonNode.Parse(await read.Content.ReadAsStringAsync())!.AsObject();
        var shortened = new Dictionary<string, (string Input, string Value)>
        {
            ["wait-first-response"] = ("timeout", "00:00:20"),
            ["wait-management"] = ("timeout", "00:00:20"),
            ["wait-14-days"] = ("duration", "00:00:10"),
        };
        foreach (var activity in definition["root"]!["activities"]!.AsArray())
        {
            if (shortened.TryGetValue(activity!["id"]!.GetValue<string>(), out var change))
            {
                activity[change.Input]!["expression"]!["value"] = change.Value;
                shortened.Remove(activity["id"]!.GetValue<string>());
            }
        }

        Assert.Empty(shortened);
        var put = new HttpRequestMessage(HttpMethod.Put, path) { Content = new StringContent(definition.ToJsonString(), System.Text.Encoding.UTF8, "application/json") };
        put.Headers.TryAddWithoutValidation("If-Match", read.Headers.ETag!.Tag);
        var saved = await admin.SendAsync(put);
        Assert.True(saved.IsSuccessStatusCode, $"{(int)saved.StatusCode}: {await saved.Content.ReadAsStringAsync()}");
        var published = await admin.PostAsync($"{path}/publish", null);
        Assert.True(published.StatusCode == HttpStatusCode.OK, $"{(int)published.StatusCode}: {await published.Content.ReadAsStringAsync()}");
        return (await published.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt32();
    }

    /// <summary>The loop instance the case's routing started (<c>GET /api/v1/workflow-instances?caseId=</c>).</summary>
    private static async Task<Guid> InstanceOfAsync(HttpClient admin, Guid caseId)
    {
        var page = await WaitForAsync(admin, $"/api/v1/workflow-instances?caseId={caseId}", p => p.GetProperty("items").GetArrayLength() > 0, "the case's loop");
        return Assert.Single(page.GetProperty("items").EnumerateArray()).GetProperty("id").GetGuid();
    }

    /// <summary>Polls a GET until <paramref name="until"/> holds (generous: a loaded two-core host is slow, never wrong).</summary>
    private static async Task<JsonElement> WaitForAsync(HttpClient http, string path, Func<JsonElement, bool> until, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var last = await http.GetFromJsonAsync<JsonElement>(path);
            if (until(last))
            {
                return last;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Waited {Patience} for {what}; last seen {path}: {last}");
            await Task.Delay(250);
        }
    }

    /// <summary>The first mail MailDev received for <paramref name="to"/> that <paramref name="matches"/>.</summary>
    private static async Task<JsonElement> WaitForMailAsync(HttpClient maildev, string to, Func<JsonElement, bool> matches)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var mails = await maildev.GetFromJsonAsync<JsonElement>("/email");
            var mine = mails.EnumerateArray().Where(m => m.GetProperty("to").EnumerateArray().Any(t => t.GetProperty("address").GetString() == to)).ToList();
            if (mine.FirstOrDefault(matches) is { ValueKind: JsonValueKind.Object } found)
            {
                return found;
            }

            Assert.True(DateTime.UtcNow < deadline, $"MailDev never received the expected mail for {to}; it has: {string.Join(" | ", mine.Select(Subject))}");
            await Task.Delay(250);
        }
    }

    private static string Subject(JsonElement mail) => mail.GetProperty("subject").GetString() ?? "";

    /// <summary>The mail MailDev received for <paramref name="to"/> as message <paramref name="messageId"/> (the loop sends its own acknowledgement too), from its REST API.</summary>
    private static async Task<JsonElement> WaitForMailAsync(HttpClient maildev, string to, Guid messageId)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var mails = await maildev.GetFromJsonAsync<JsonElement>("/email");
            foreach (var mail in mails.EnumerateArray())
            {
                if (mail.GetProperty("to").EnumerateArray().Any(t => t.GetProperty("address").GetString() == to)
                    && mail.GetProperty("headers").TryGetProperty("message-id", out var id) && id.GetString()?.Contains(messageId.ToString("N"), StringComparison.Ordinal) == true)
                {
                    return mail;
                }
            }

            Assert.True(DateTime.UtcNow < deadline, $"MailDev never received a mail for {to}.");
            await Task.Delay(250);
        }
    }

    private async Task<DistributedApplication> StartAsync(string[] args, params string[] apis)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.ClosedLoop_AppHost>(args, timeout.Token);
        var app = await builder.BuildAsync(timeout.Token);
        try
        {
            await app.StartAsync(timeout.Token);
            foreach (var api in apis)
            {
                await app.ResourceNotifications.WaitForResourceHealthyAsync(api, timeout.Token);
            }
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        output.WriteLine($"started: {string.Join(' ', args)}");
        return app;
    }

    private static HttpClient Client(int port, string key = "dev-admin-key")
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://localhost:{port}"), Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    private static async Task<Guid> SubmitAsync(HttpClient http, string externalId, string? email = null)
    {
        var response = await http.PostAsJsonAsync("/api/v1/feedback", new
        {
            source = "apphost-test",
            externalId,
            channel = "email",
            score = 2,
            comment = "The parcel arrived two weeks late.",
            customer = new { externalId = "c-" + externalId, region = "EMEA", email, name = "Ada" },
        });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid();
    }

    /// <summary>The case the Cases module opened for a detractor, once the outbox delivered FeedbackRouted.</summary>
    private static async Task<Guid> WaitForCaseAsync(HttpClient http, Guid feedbackId)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var feedback = await http.GetFromJsonAsync<JsonElement>($"/api/v1/feedback/{feedbackId}");
            if (feedback.GetProperty("caseId") is { ValueKind: JsonValueKind.String } caseId)
            {
                return caseId.GetGuid();
            }

            Assert.True(DateTime.UtcNow < deadline, $"No case for {feedbackId} after {Patience}: {feedback}");
            await Task.Delay(250);
        }
    }

    /// <summary>A fresh data folder the postgres user can reach (the AppHost runs PostgreSQL as that user when root).</summary>
    private static string NewDataFolder()
    {
        var folder = Directory.CreateTempSubdirectory("closedloop-apphost-");
        if (!OperatingSystem.IsWindows())
        {
            folder.UnixFileMode |= UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        }

        return folder.FullName;
    }
}
