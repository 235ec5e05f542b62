using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClosedLoop.Api.Tests.Imports;
using ClosedLoop.Api.Tests.Infrastructure;
using ClosedLoop.Persistence;

namespace ClosedLoop.Api.Tests;

/// <summary>
/// Rule sets as live routing uses them: a dry run decides what live routing decides; a saved version or a
/// rollback applies to the next item on every host of the database without a restart; a runaway rule makes
/// only its item fall back, raises a visible incident and does not stall ingest.
/// </summary>
public abstract class RuleSetLiveTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : ApiFactory
{
    /// <summary>
    /// Quadratic in the number of words: harmless on short comments, a runaway on 5,000 one-letter words (about
    /// two seconds, eight times the budget; long words make too few pairs to be sure of passing the budget).
    /// </summary>
    private const string RunawayPairs = """
        { "WorkflowName": "refund-pairs", "Rules": [
          { "RuleName": "money-back-anywhere",
            "LocalParams": [ { "Name": "words", "Expression": "feedback.Comment.Split(' ')" } ],
            "Expression": "words.SelectMany(a => words.Select(b => a + \" \" + b)).Any(p => Text.ContainsWord(p, \"money back\"))",
            "Properties": { "tags": "refund-demand" } }
        ] }
        """;

    [Theory]
    [InlineData(2, "Delivery was two weeks late and the courier left the parcel in the rain.", "EMEA", "smb", 5_000)]
    [InlineData(1, "I was charged twice and support never called back.", "NA", "enterprise", 250_000)]
    [InlineData(8, "Good product but the price went up again.", "LATAM", "smb", 900)]
    [InlineData(null, "Still waiting for my refund, this is unacceptable.", "", "", 0)]
    [InlineData(10, "Love it, fast delivery and great quality!", "US", "smb", 900)]
    public async Task A_dry_run_of_the_published_rule_sets_decides_what_live_routing_decided(int? score, string comment, string region, string segment, int accountValue)
    {
        var ingest = factory.Client(ApiFactory.IngestKey);
        var admin = factory.Client(ApiFactory.AdminKey);
        var item = FeedbackBuilder.Item(FeedbackBuilder.NewSource(), score: score, comment: comment, customer: "c-" + Guid.NewGuid().ToString("N")[..8])
            .With("customer.region", region)
            .With("customer.segment", segment)
            .With("customer.accountValue", JsonValue.Create(accountValue));
        var id = await ingest.CreateAsync(item);
        var live = await (await admin.GetAsync($"/api/v1/feedback/{id}")).Content.ReadFromJsonAsync<JsonElement>();

        var input = new JsonObject
        {
            ["score"] = score,
            ["category"] = score switch { null => "none", >= 9 => "promoter", >= 7 => "passive", _ => "detractor" },
            ["comment"] = comment,
            ["channel"] = "email",
            ["source"] = live.GetProperty("source").GetString(),
            ["sentiment"] = live.GetProperty("sentiment").GetProperty("label").GetString(),
            ["sentimentScore"] = live.GetProperty("sentiment").GetProperty("score").GetDouble(),
            ["topics"] = new JsonArray(),
            ["submittedAt"] = live.GetProperty("submittedAt").GetString(),
            ["attributes"] = new JsonObject { ["product"] = "shop", ["orderId"] = "A-77" },
            ["customer"] = new JsonObject
            {
                ["region"] = region,
                ["segment"] = segment,
                ["language"] = "en",
                ["accountValue"] = accountValue,
                ["feedbackCount"] = 1,
                ["lastScore"] = null,
            },
        };
        var response = await admin.PostAsJsonAsync("/api/v1/rule-sets/routing/test", new JsonObject { ["input"] = input });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var dryRun = JsonDocument.Parse(body).RootElement;

        Assert.Equal(Normalize(live.GetProperty("routing").GetProperty("decision")), Normalize(dryRun.GetProperty("decision")));
        Assert.Equal(
            live.GetProperty("routing").GetProperty("ruleSets").EnumerateArray().Select(s => (s.GetProperty("name").GetString(), s.GetProperty("version").GetInt32(), s.GetProperty("outcome").GetString())),
            dryRun.GetProperty("explanation").GetProperty("ruleSets").EnumerateArray().Select(s => (s.GetProperty("name").GetString(), s.GetProperty("version").GetInt32(), s.GetProperty("outcome").GetString())));
    }

    [Fact]
    public async Task A_saved_version_and_a_rollback_route_the_next_item_on_another_host_without_a_restart()
    {
        await using var database = await SharedDatabase.CreateAsync(factory.Provider);
        await using var editor = database.Host();
        await using var replica = database.Host();
        var admin = editor.Client(ApiFactory.AdminKey);
        var ingest = replica.Client(ApiFactory.IngestKey);
        var agent = replica.Client(ApiFactory.AgentKey);

        // The replica has routed with the seeded version, so its engine holds that catalog.
        Assert.Equal("promoter-advocacy", await LoopOfAsync(ingest, agent, 10));

        var published = await (await admin.GetAsync("/api/v1/rule-sets/routing")).Content.ReadFromJsonAsync<JsonElement>();
        var edited = published.GetProperty("workflow").GetRawText().Replace("promoter-advocacy", "promoter-thank-you", StringComparison.Ordinal);
        var saved = await admin.PutAsync("/api/v1/rule-sets/routing?comment=thank%20promoters", new StringContent(edited, Encoding.UTF8, "application/json"));
        Assert.True(saved.IsSuccessStatusCode, await saved.Content.ReadAsStringAsync());

        Assert.Equal("promoter-thank-you", await LoopOfAsync(ingest, agent, 9));

        var rollback = await admin.PostAsJsonAsync("/api/v1/rule-sets/routing/rollback", new { version = published.GetProperty("version").GetInt32(), comment = "back" });
        Assert.True(rollback.IsSuccessStatusCode, await rollback.Content.ReadAsStringAsync());

        Assert.Equal("promoter-advocacy", await LoopOfAsync(ingest, agent, 10));
    }

    [Fact]
    public async Task A_runaway_rule_makes_its_item_fall_back_with_an_incident_and_the_next_items_are_routed()
    {
        await using var database = await SharedDatabase.CreateAsync(factory.Provider);
        await using var host = database.Host(new Dictionary<string, string?> { [RuleBudgets.Evaluation] = RuleBudgets.Production });
        var admin = host.Client(ApiFactory.AdminKey);
        var ingest = host.Client(ApiFactory.IngestKey);
        var saved = await admin.PutAsync("/api/v1/rule-sets/refund-pairs?order=250", new StringContent(RunawayPairs, Encoding.UTF8, "application/json"));
        Assert.True(saved.IsSuccessStatusCode, await saved.Content.ReadAsStringAsync());

        var longComment = string.Concat(Enumerable.Repeat("w ", 5_000));
        var runaway = await RoutingOfAsync(ingest, admin, 2, longComment);
        var quick = await RoutingOfAsync(ingest, admin, 2, "I want my money back");

        Assert.True(runaway.GetProperty("fallback").GetBoolean());
        Assert.Contains("refund-pairs", runaway.GetProperty("fallbackReason").GetString());
        Assert.Equal("triage", runaway.GetProperty("decision").GetProperty("team").GetString());
        Assert.Contains("rules-fallback", runaway.GetProperty("decision").GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.False(quick.GetProperty("fallback").GetBoolean());
        Assert.Contains("refund-demand", quick.GetProperty("decision").GetProperty("tags").EnumerateArray().Select(t => t.GetString()));

        // Incidents are written by a background writer so that a slow database never holds up routing: poll for it.
        List<JsonElement> incidents = [];
        for (var wait = 0; wait < 100 && incidents.Count == 0; wait++)
        {
            var page = await (await admin.GetAsync("/api/v1/rule-incidents?ruleSet=refund-pairs")).Content.ReadFromJsonAsync<JsonElement>();
            incidents = [.. page.GetProperty("items").EnumerateArray()];
            if (incidents.Count == 0)
            {
                await Task.Delay(100);
            }
        }

        var incident = Assert.Single(incidents);
        Assert.Equal("timeout", incident.GetProperty("kind").GetString());
    }

    [Fact]
    public async Task A_wordy_rule_set_stores_a_bounded_explanation_with_every_item()
    {
        await using var database = await SharedDatabase.CreateAsync(factory.Provider);
        await using var host = database.Host(new Dictionary<string, string?>());
        var admin = host.Client(ApiFactory.AdminKey);
        var ingest = host.Client(ApiFactory.IngestKey);

        // Every name and message within its cap, 150 of them: about 100 KB of explanation in full.
        var rules = string.Join(", ", Enumerable.Range(1, 150).Select(i =>
            $$"""{ "RuleName": "rule-{{i:D3}}-{{new string('n', 80)}}", "SuccessEvent": "{{new string('s', 500)}}", "Expression": "true", "Properties": { "tags": "wordy" } }"""));
        var saved = await admin.PutAsync("/api/v1/rule-sets/wordy?order=250", new StringContent($$"""{ "WorkflowName": "wordy", "Rules": [ {{rules}} ] }""", Encoding.UTF8, "application/json"));
        Assert.True(saved.IsSuccessStatusCode, await saved.Content.ReadAsStringAsync());

        var routing = await RoutingOfAsync(ingest, admin, 2, "Delivery was late.");

        Assert.InRange(routing.GetRawText().Length, 1, 64 * 1024);
        Assert.True(routing.GetProperty("truncated").GetBoolean());
        Assert.Contains("wordy", routing.GetProperty("decision").GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        var wordy = routing.GetProperty("ruleSets").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "wordy");
        Assert.Equal(150, wordy.GetProperty("rules").GetArrayLength());
        Assert.All(wordy.GetProperty("rules").EnumerateArray(), r => Assert.False(r.TryGetProperty("message", out _)));
    }

    private static async Task<string?> LoopOfAsync(HttpClient ingest, HttpClient reader, int score) =>
        (await RoutingOfAsync(ingest, reader, score, "Great.")).GetProperty("decision").GetProperty("loop").GetString();

    private static async Task<JsonElement> RoutingOfAsync(HttpClient ingest, HttpClient reader, int score, string comment)
    {
        var id = await ingest.CreateAsync(FeedbackBuilder.Item(FeedbackBuilder.NewSource(), score: score, comment: comment, customer: "c-" + Guid.NewGuid().ToString("N")[..8]));
        var item = await (await reader.GetAsync($"/api/v1/feedback/{id}")).Content.ReadFromJsonAsync<JsonElement>();
        return item.GetProperty("routing");
    }

    /// <summary>The decision's properties in name order, lists sorted: the same decision whatever the serialisation order.</summary>
    private static string Normalize(JsonElement decision) => string.Join(
        "; ",
        decision.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => p.Value.ValueKind == JsonValueKind.Array
            ? $"{p.Name}=[{string.Join(",", p.Value.EnumerateArray().Select(v => v.ToString()).Order(StringComparer.Ordinal))}]"
            : $"{p.Name}={p.Value}"));
}

public sealed class SqliteRuleSetLiveTests(SqliteApiFactory factory) : RuleSetLiveTests<SqliteApiFactory>(factory);

public sealed class PostgresRuleSetLiveTests(PostgresApiFactory factory) : RuleSetLiveTests<PostgresApiFactory>(factory);
