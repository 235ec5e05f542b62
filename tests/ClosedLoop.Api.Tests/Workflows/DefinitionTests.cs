using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClosedLoop.Api.Tests.Infrastructure;

namespace ClosedLoop.Api.Tests.Workflows;

/// <summary>
/// <c>/api/v1/workflow-definitions</c>: an admin saves a draft (validated in full), publishes it as an immutable
/// version, reads versions and a Mermaid diagram; a broken draft is refused naming each activity.
/// </summary>
public abstract class DefinitionTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : ApiFactory
{
    private const string Base = "/api/v1/workflow-definitions";
    private readonly HttpClient _admin = factory.Client(ApiFactory.AdminKey);

    [Fact]
    public async Task An_admin_saves_publishes_and_diagrams_a_loop_and_version_one_stays_as_published()
    {
        var id = "loop-" + Guid.NewGuid().ToString("N")[..8];

        var created = await PutAsync(id, Loop("Wait a day"));
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var draft = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((id, 1, false), (draft.GetProperty("definitionId").GetString(), draft.GetProperty("version").GetInt32(), draft.GetProperty("isPublished").GetBoolean()));

        var published = await _admin.PostAsync($"{Base}/{id}/publish", null);
        Assert.Equal(HttpStatusCode.OK, published.StatusCode);
        Assert.Equal(1, (await published.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt32());
        await (await _admin.PostAsync($"{Base}/{id}/publish", null)).AssertProblemAsync(HttpStatusCode.Conflict);

        // A second draft, published as version 2; version 1 reads as it was.
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(id, Loop("Wait two days", "2.00:00:00"))).StatusCode);
        var latest = await _admin.GetFromJsonAsync<JsonElement>($"{Base}/{id}");
        Assert.Equal((2, false), (latest.GetProperty("version").GetInt32(), latest.GetProperty("isPublished").GetBoolean()));
        Assert.Equal(HttpStatusCode.OK, (await _admin.PostAsync($"{Base}/{id}/publish", null)).StatusCode);
        var first = await _admin.GetFromJsonAsync<JsonElement>($"{Base}/{id}?version=1");
        Assert.Equal(("Wait a day", true), (first.GetProperty("name").GetString(), first.GetProperty("isPublished").GetBoolean()));
        var versions = await _admin.GetFromJsonAsync<JsonElement>($"{Base}/{id}/versions");
        Assert.Equal([2, 1], versions.EnumerateArray().Select(v => v.GetProperty("version").GetInt32()));
        Assert.True(versions[0].GetProperty("isCurrent").GetBoolean());

        var diagram = await _admin.GetFromJsonAsync<JsonElement>($"{Base}/{id}/diagram");
        var mermaid = diagram.GetProperty("mermaid").GetString()!;
        Assert.StartsWith("flowchart", mermaid, StringComparison.Ordinal);
        Assert.Contains("wait", mermaid, StringComparison.Ordinal);

        var list = await _admin.GetFromJsonAsync<JsonElement>(Base);
        var mine = list.EnumerateArray().Single(d => d.GetProperty("definitionId").GetString() == id);
        Assert.Equal((2, false), (mine.GetProperty("publishedVersion").GetInt32(), mine.GetProperty("hasDraft").GetBoolean()));
    }

    [Theory]
    [InlineData("detractor-recovery", "Escalate to management")]
    [InlineData("passive-nurture", "Follow up on the answer")]
    [InlineData("promoter-advocacy", "Thanks, and a referral ask")]
    public async Task The_default_loops_are_imported_valid_and_published_at_first_start(string definitionId, string activity)
    {
        var loop = await _admin.GetFromJsonAsync<JsonElement>($"{Base}/{definitionId}");
        Assert.Equal((1, true), (loop.GetProperty("version").GetInt32(), loop.GetProperty("isPublished").GetBoolean()));
        var versions = await _admin.GetFromJsonAsync<JsonElement>($"{Base}/{definitionId}/versions");
        Assert.Equal("seed", versions[0].GetProperty("origin").GetString());
        var diagram = await _admin.GetFromJsonAsync<JsonElement>($"{Base}/{definitionId}/diagram");
        Assert.Contains(activity, diagram.GetProperty("mermaid").GetString(), StringComparison.Ordinal);

        // Saved back unchanged as a draft, it passes the same validation an admin's edit does.
        var again = await PutAsync(definitionId, JsonNode.Parse(loop.GetRawText())!);
        Assert.True(again.StatusCode == HttpStatusCode.OK, await again.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_loop_naming_a_template_team_or_root_cause_that_does_not_exist_is_refused()
    {
        var loop = Loop("References");
        var activities = loop["root"]!["activities"]!.AsArray();
        activities.Insert(2, new JsonObject { ["id"] = "tell", ["type"] = "SendMessage", ["template"] = Literal("no-such-template") });
        activities.Insert(3, new JsonObject { ["id"] = "move", ["type"] = "AssignCase", ["team"] = Literal("no-such-team") });
        activities.Insert(4, new JsonObject { ["id"] = "settle", ["type"] = "ResolveCase", ["rootCause"] = Literal("no-such-cause"), ["note"] = Literal("Done.") });
        var connections = loop["root"]!["connections"]!.AsArray();
        connections.RemoveAt(1);
        connections.Add(Connect("set", "tell"));
        connections.Add(Connect("tell", "move"));
        connections.Add(Connect("move", "settle"));
        connections.Add(Connect("settle", "wait"));

        var problem = await (await PutAsync("refs-" + Guid.NewGuid().ToString("N")[..6], loop)).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);

        var named = problem.GetProperty("problems").EnumerateArray().Select(p => p.GetProperty("activityId").GetString()).ToList();
        Assert.Equal(["move", "settle", "tell"], named.Order(StringComparer.Ordinal));
        Assert.Contains(problem.GetProperty("problems").EnumerateArray(), p => p.GetProperty("activityId").GetString() == "settle" && p.GetRawText().Contains("no-such-cause", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_broken_draft_is_refused_with_every_error_naming_its_activity()
    {
        var loop = Loop("Broken");
        var activities = loop["root"]!["activities"]!.AsArray();
        activities.Add(new JsonObject { ["id"] = "ghost", ["type"] = "NoSuchActivity" });
        activities.Add(new JsonObject { ["id"] = "lonely", ["type"] = "Delay" });

        var problem = await (await PutAsync("broken-" + Guid.NewGuid().ToString("N")[..6], loop)).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);

        var problems = problem.GetProperty("problems").EnumerateArray().ToList();
        Assert.Contains(problems, p => p.GetProperty("activityId").GetString() == "ghost");
        Assert.Contains(problems, p => p.GetProperty("activityId").GetString() == "lonely");
        Assert.True(problem.GetProperty("errors").EnumerateObject().Any());
    }

    [Fact]
    public async Task Bad_requests_are_refused_with_problems()
    {
        var id = "stale-" + Guid.NewGuid().ToString("N")[..6];
        await (await _admin.GetAsync($"{Base}/{id}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await _admin.PostAsync($"{Base}/{id}/publish", null)).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await _admin.GetAsync($"{Base}/{id}/versions")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await _admin.GetAsync($"{Base}/{id}/diagram")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await PutAsync("9-starts-with-a-digit", Loop("x"))).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        var other = Loop("x");
        other["definitionId"] = "someone-else";
        await (await PutAsync(id, other)).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        await (await _admin.PutAsync($"{Base}/{id}", new StringContent("{}", Encoding.UTF8, "text/plain"))).AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);

        Assert.Equal(HttpStatusCode.Created, (await PutAsync(id, Loop("x"))).StatusCode);
        var stale = new HttpRequestMessage(HttpMethod.Put, $"{Base}/{id}") { Content = JsonContent.Create(Loop("y")) };
        stale.Headers.TryAddWithoutValidation("If-Match", "\"999\"");
        await (await _admin.SendAsync(stale)).AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        await (await factory.Client(ApiFactory.AgentKey).GetAsync(Base)).AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    private Task<HttpResponseMessage> PutAsync(string id, JsonNode body) =>
        _admin.PutAsync($"{Base}/{id}", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));

    /// <summary>Start → set a variable → wait → end, with the engine's own activities only.</summary>
    private static JsonObject Loop(string name, string duration = "1.00:00:00") => new()
    {
        ["name"] = name,
        ["variables"] = new JsonArray(new JsonObject { ["name"] = "note", ["type"] = "String", ["value"] = "" }),
        ["root"] = new JsonObject
        {
            ["type"] = "Flowchart",
            ["activities"] = new JsonArray(
                new JsonObject { ["id"] = "start", ["type"] = "Start" },
                new JsonObject { ["id"] = "set", ["type"] = "SetVariable", ["variable"] = Literal("note"), ["value"] = Literal("waiting") },
                new JsonObject { ["id"] = "wait", ["type"] = "Delay", ["duration"] = Literal(duration) },
                new JsonObject { ["id"] = "end", ["type"] = "End" }),
            ["connections"] = new JsonArray(Connect("start", "set"), Connect("set", "wait"), Connect("wait", "end")),
        },
    };

    private static JsonObject Literal(string value) => new() { ["expression"] = new JsonObject { ["type"] = "Literal", ["value"] = value } };

    private static JsonObject Connect(string from, string to) => new()
    {
        ["source"] = new JsonObject { ["activity"] = from, ["port"] = "Done" },
        ["target"] = new JsonObject { ["activity"] = to, ["port"] = "In" },
    };
}

public sealed class SqliteDefinitionTests(SqliteApiFactory factory) : DefinitionTests<SqliteApiFactory>(factory);

public sealed class PostgresDefinitionTests(PostgresApiFactory factory) : DefinitionTests<PostgresApiFactory>(factory);
