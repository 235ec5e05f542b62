using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClosedLoop.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ClosedLoop.Api.Tests.Cases;

/// <summary>The system clock moved forward on demand, so SLA targets pass without waiting for them.</summary>
public sealed class ShiftedClock : TimeProvider
{
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
}

/// <summary>A host whose clock tests can move, with the SLA monitor looking every 200 ms, and a <see cref="TimelineRace"/> to force a read against a change.</summary>
public interface ICasesFactory
{
    ShiftedClock Clock { get; }

    TimelineRace Race { get; }
}

public class SqliteCasesFactory : SqliteApiFactory, ICasesFactory
{
    public ShiftedClock Clock { get; } = new();

    public TimelineRace Race { get; } = new();

    protected override void Configure(IDictionary<string, string?> settings) => CasesHost.Configure(settings);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(Clock).AddSingleton<IInterceptor>(Race));
    }
}

public class PostgresCasesFactory : PostgresApiFactory, ICasesFactory
{
    public ShiftedClock Clock { get; } = new();

    public TimelineRace Race { get; } = new();

    protected override void Configure(IDictionary<string, string?> settings) => CasesHost.Configure(settings);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(Clock).AddSingleton<IInterceptor>(Race));
    }
}

internal static class CasesHost
{
    public static void Configure(IDictionary<string, string?> settings)
    {
        settings["Cases:MonitorInterval"] = "00:00:00.200";
        settings["Communication:Retention:Interval"] = "00:00:00.200";
    }

    /// <summary>Posts a piece of feedback and waits for the case its routing opens; returns the case.</summary>
    public static async Task<JsonElement> OpenCaseAsync(this HttpClient ingest, HttpClient reader, int score = 2, string comment = "Delivery was two weeks late.", string region = "EMEA", string segment = "smb", int accountValue = 5_000)
    {
        var item = FeedbackBuilder.Item(FeedbackBuilder.NewSource(), score: score, comment: comment, customer: "c-" + Guid.NewGuid().ToString("N")[..10])
            .With("customer.region", region).With("customer.segment", segment).With("customer.accountValue", accountValue);
        var feedbackId = await ingest.CreateAsync(item);
        var opened = await reader.CaseOfAsync(feedbackId);
        // A default-route case has another team, priority and no topics: say so rather than fail later on a filter.
        Assert.False(opened.GetProperty("routedByFallback").GetBoolean(), $"The rules fell back for feedback {feedbackId}: {opened.GetProperty("routing")}");
        return opened;
    }

    /// <summary>The case opened for a piece of feedback (waits for the event to be handled).</summary>
    public static async Task<JsonElement> CaseOfAsync(this HttpClient reader, Guid feedbackId)
    {
        var feedback = await (await reader.GetAsync($"/api/v1/feedback/{feedbackId}")).Content.ReadFromJsonAsync<JsonElement>();
        var customer = feedback.GetProperty("customer").GetProperty("id").GetGuid();
        for (var wait = 0; wait < 150; wait++)
        {
            var page = await reader.GetFromJsonAsync<JsonElement>($"/api/v1/cases?customerId={customer}");
            var found = page.GetProperty("items").EnumerateArray().Where(c => c.GetProperty("feedbackId").GetGuid() == feedbackId).ToList();
            if (found.Count > 0)
            {
                return await reader.GetCaseAsync(Assert.Single(found).GetProperty("id").GetGuid());
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException($"No case was opened for feedback {feedbackId} within 15 s.");
    }

    public static async Task<JsonElement> GetCaseAsync(this HttpClient client, Guid id)
    {
        var response = await client.GetAsync($"/api/v1/cases/{id}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement;
    }

    public static Task<HttpResponseMessage> ActAsync(this HttpClient client, Guid id, string action, object? body = null, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/cases/{id}/{action}") { Content = JsonContent.Create(body ?? new { }) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return client.SendAsync(request);
    }

    /// <summary>Acts and asserts success; returns the case as the action left it.</summary>
    public static async Task<JsonElement> ActOkAsync(this HttpClient client, Guid id, string action, object? body = null, string? ifMatch = null)
    {
        var response = await client.ActAsync(id, action, body, ifMatch);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{action}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    public static Guid Id(this JsonElement c) => c.GetProperty("id").GetGuid();

    public static string Text(this JsonElement e, string property) => e.GetProperty(property).GetString()!;

    public static List<string> Kinds(this JsonElement c) => [.. c.GetProperty("timeline").EnumerateArray().Select(e => e.Text("kind"))];

    /// <summary>Creates an agent key through the API and returns its secret and its caller id (the key's id).</summary>
    public static async Task<(string Secret, string UserId)> CreateAgentAsync(this HttpClient admin, string name)
    {
        var response = await admin.PostAsJsonAsync("/api/v1/api-keys", new { name, role = "agent" });
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, created.ToString());
        return (created.Text("secret"), created.GetProperty("id").GetGuid().ToString());
    }

    public static async Task<JsonElement> CreateTeamAsync(this HttpClient admin, object team)
    {
        var response = await admin.PostAsJsonAsync("/api/v1/teams", team);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement;
    }

    /// <summary>Payloads of the Cases outbox's events of <paramref name="type"/> (or their type names when null) that mention <paramref name="caseId"/>.</summary>
    public static async Task<List<string>> CaseEventsAsync(this ApiFactory factory, Guid caseId, string? type = null)
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ClosedLoop.Api.Platform.Data.PlatformDbContext>();
        var table = factory.Provider == ClosedLoop.Persistence.DatabaseProvider.Sqlite ? "cases_outbox_messages" : "cases.outbox_messages";
        var sql = type is null
            ? "SELECT \"Type\" AS \"Value\" FROM " + table + " WHERE \"Payload\" LIKE '%" + caseId + "%'"
            : "SELECT \"Payload\" AS \"Value\" FROM " + table + " WHERE \"Type\" LIKE '%" + type + "' AND \"Payload\" LIKE '%" + caseId + "%'";
        return await db.Database.SqlQueryRaw<string>(sql).ToListAsync();
    }

    public static HttpClient WithKey(this ApiFactory factory, string key) => factory.Client(key);

    public static JsonObject Body(params (string Name, JsonNode? Value)[] properties)
    {
        var o = new JsonObject();
        foreach (var (name, value) in properties)
        {
            o[name] = value;
        }

        return o;
    }
}
