using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ClosedLoop.Api.Tests.Infrastructure;

namespace ClosedLoop.Api.Tests.Cases;

/// <summary>Admins manage teams (members, time zone, business hours, holidays, SLA targets); rules may only route to teams that exist.</summary>
public abstract class TeamTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : ApiFactory, ICasesFactory
{
    private readonly HttpClient _admin = factory.Client(ApiFactory.AdminKey);

    [Fact]
    public async Task The_teams_the_default_rules_route_to_exist_on_day_one()
    {
        var teams = await _admin.GetFromJsonAsync<JsonElement>("/api/v1/teams");
        var keys = teams.GetProperty("items").EnumerateArray().Select(t => t.Text("key")).ToList();

        Assert.Subset(keys.ToHashSet(), new HashSet<string> { "triage", "cx-global", "cx-emea", "cx-north-america", "cx-latam", "cx-apac", "billing-specialists" });
        var emea = teams.GetProperty("items").EnumerateArray().Single(t => t.Text("key") == "cx-emea");
        Assert.Equal("Europe/London", emea.Text("timeZone"));
        Assert.Equal(5, emea.GetProperty("businessHours").GetArrayLength());
    }

    [Fact]
    public async Task A_team_is_created_read_and_replaced_with_its_schedule_and_members()
    {
        var key = "berlin-" + Guid.NewGuid().ToString("N")[..8];
        var created = await _admin.CreateTeamAsync(new
        {
            key,
            name = "Berlin care",
            timeZone = "Europe/Berlin",
            businessHours = new[] { new { day = "monday", open = "09:00", close = "12:00" }, new { day = "monday", open = "13:00", close = "24:00" } },
            holidays = new[] { "2026-12-25", "2026-12-24" },
            slaTargets = new { urgent = new { firstResponseHours = 0.5, resolutionHours = 6 } },
            members = new[] { new { userId = "u-1", name = "Jana", email = "jana@example.com", level = "management" } },
        });

        Assert.Equal(("Europe/Berlin", "24:00"), (created.Text("timeZone"), created.GetProperty("businessHours")[1].Text("close")));
        Assert.Equal(["2026-12-24", "2026-12-25"], created.GetProperty("holidays").EnumerateArray().Select(h => h.GetString()!));
        Assert.Equal(6, created.GetProperty("slaTargets").GetProperty("urgent").GetProperty("resolutionHours").GetDouble());
        Assert.Equal("management", created.GetProperty("members")[0].Text("level"));

        var read = await _admin.GetAsync($"/api/v1/teams/{key}");
        var etag = read.Headers.ETag!.Tag;
        var replace = new { name = "Berlin customer care", timeZone = "Europe/Berlin", members = new[] { new { userId = "u-2", name = "Lutz" } } };
        var put = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/teams/{key}") { Content = JsonContent.Create(replace) };
        put.Headers.TryAddWithoutValidation("If-Match", etag);
        var replaced = await _admin.SendAsync(put);
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        var body = await replaced.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("Berlin customer care", "u-2", "frontline", 0), (body.Text("name"), body.GetProperty("members")[0].Text("userId"), body.GetProperty("members")[0].Text("level"), body.GetProperty("businessHours").GetArrayLength()));

        var stale = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/teams/{created.Id()}") { Content = JsonContent.Create(replace) };
        stale.Headers.TryAddWithoutValidation("If-Match", etag);
        await (await _admin.SendAsync(stale)).AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        await (await _admin.PostAsJsonAsync("/api/v1/teams", new { key, name = "again" })).AssertProblemAsync(HttpStatusCode.Conflict);

        var audit = await _admin.GetFromJsonAsync<JsonElement>("/api/v1/audit?pageSize=200");
        Assert.Contains(audit.GetProperty("items").EnumerateArray(), a => a.Text("action") == "team.updated" && a.Text("target") == key);
    }

    [Fact]
    public async Task An_invalid_team_is_refused_naming_every_bad_field()
    {
        var problem = await (await _admin.PostAsJsonAsync("/api/v1/teams", new
        {
            key = "Bad Key",
            name = "",
            timeZone = "Mars/Olympus_Mons",
            businessHours = new[] { new { day = "someday", open = "09:00", close = "17:00" }, new { day = "monday", open = "18:00", close = "09:00" } },
            slaTargets = new { whenever = new { firstResponseHours = 1 }, urgent = new { firstResponseHours = -1 } },
            members = new[] { new { userId = "u-1", name = "A", level = "boss" }, new { userId = "u-1", name = "B", level = "frontline" } },
        })).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);

        var fields = problem.ErrorFields();
        foreach (var field in new[] { "key", "name", "businessHours[0]", "slaTargets.whenever", "slaTargets.urgent.firstResponseHours", "members[0].level", "members[1].userId" })
        {
            Assert.Contains(field, fields);
        }

        var zone = await (await _admin.PostAsJsonAsync("/api/v1/teams", new { key = "zone-" + Guid.NewGuid().ToString("N")[..6], name = "Z", timeZone = "Mars/Olympus_Mons" })).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("timeZone", zone.ErrorFields());
        var hours = await (await _admin.PostAsJsonAsync("/api/v1/teams", new { key = "hours-" + Guid.NewGuid().ToString("N")[..6], name = "H", businessHours = new[] { new { day = "monday", open = "18:00", close = "09:00" } } })).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains(hours.ErrorFields(), f => f.StartsWith("businessHours", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Oversized_strings_are_refused_naming_the_field_without_repeating_them()
    {
        var huge = new string('x', 100_000);
        var cases = new (string Field, System.Text.Json.Nodes.JsonObject Team)[]
        {
            ("timeZone", new() { ["name"] = "Z", ["timeZone"] = huge }),
            ("slaTargets", new() { ["name"] = "S", ["slaTargets"] = new System.Text.Json.Nodes.JsonObject { [huge] = new System.Text.Json.Nodes.JsonObject { ["firstResponseHours"] = 1 } } }),
            ("businessHours[0]", new() { ["name"] = "D", ["businessHours"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject { ["day"] = huge, ["open"] = "09:00", ["close"] = "17:00" }) }),
            ("businessHours", new() { ["name"] = "H", ["businessHours"] = new System.Text.Json.Nodes.JsonArray([.. Enumerable.Range(0, 29).Select(_ => (System.Text.Json.Nodes.JsonNode)new System.Text.Json.Nodes.JsonObject { ["day"] = new string('d', 3_000), ["open"] = "09:00", ["close"] = "17:00" })]) }),
            ("name", new() { ["name"] = new string('n', 201) }),
            ("members[0].name", new() { ["name"] = "M", ["members"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject { ["userId"] = "u-1", ["name"] = new string('m', 201) }) }),
        };

        foreach (var (field, team) in cases)
        {
            team["key"] = "caps-" + Guid.NewGuid().ToString("N")[..8];
            var response = await _admin.PostAsJsonAsync("/api/v1/teams", team);

            var body = await response.Content.ReadAsStringAsync();
            var problem = await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
            Assert.Contains(field, problem.ErrorFields());
            Assert.True(body.Length < 5_000, $"{field}: the answer repeats the text ({body.Length} characters)");
        }
    }

    [Fact]
    public async Task A_rule_set_routing_to_a_team_that_does_not_exist_is_rejected()
    {
        const string json = """
            { "WorkflowName": "ghost-routing", "Rules": [ { "RuleName": "to-ghosts", "Expression": "feedback.Score <= 2", "Properties": { "team": "ghost-busters" } } ] }
            """;

        var response = await _admin.PutAsync("/api/v1/rule-sets/ghost-routing", new StringContent(json, Encoding.UTF8, "application/json"));

        var problem = await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("ghost-busters", problem.GetRawText());
        Assert.Contains("to-ghosts", problem.GetRawText());
    }
}

public sealed class SqliteTeamTests(SqliteCasesFactory factory) : TeamTests<SqliteCasesFactory>(factory);

public sealed class PostgresTeamTests(PostgresCasesFactory factory) : TeamTests<PostgresCasesFactory>(factory);
