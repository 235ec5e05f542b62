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

    private static HttpClient Client(int port)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://localhost:{port}"), Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Add("X-Api-Key", "dev-admin-key");
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
