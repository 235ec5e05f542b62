using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ClosedLoop.Api.Tests.Infrastructure;

namespace ClosedLoop.Api.Tests.Cases;

/// <summary>
/// Agents see and act on their teams' cases at their level and below, and nothing else: other cases answer 404
/// (not 403), so ids cannot be probed. Admins see everything.
/// </summary>
public abstract class CaseAccessTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : ApiFactory, ICasesFactory
{
    private readonly HttpClient _ingest = factory.Client(ApiFactory.IngestKey);
    private readonly HttpClient _admin = factory.Client(ApiFactory.AdminKey);

    [Fact]
    public async Task An_agent_sees_only_the_cases_of_their_teams_up_to_their_level()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var frontline = await _admin.CreateAgentAsync("Fran " + suffix);
        var manager = await _admin.CreateAgentAsync("Manu " + suffix);
        var outsider = await _admin.CreateAgentAsync("Otto " + suffix);
        // A key that names no team yet is refused; once the team exists the same key lists its cases (below).
        var unknown = await (await _admin.GetAsync($"/api/v1/cases?team=access-{suffix}")).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("team", unknown.ErrorFields());
        var team = await _admin.CreateTeamAsync(new
        {
            key = "access-" + suffix,
            name = "Access test team",
            members = new object[]
            {
                new { userId = frontline.UserId, name = "Fran", level = "frontline" },
                new { userId = manager.UserId, name = "Manu", level = "management" },
            },
        });
        var fran = factory.Client(frontline.Secret);
        var manu = factory.Client(manager.Secret);
        var otto = factory.Client(outsider.Secret);

        var id = (await _ingest.OpenCaseAsync(_admin)).Id();
        var moved = await _admin.ActOkAsync(id, "assign", new { team = team.Text("key"), assigneeId = frontline.UserId });
        Assert.Equal((team.Text("key"), frontline.UserId), (moved.Text("team"), moved.Text("assigneeId")));

        // Frontline and management members see it; the outsider gets 404 for reads and actions alike.
        Assert.Equal(id, (await fran.GetCaseAsync(id)).Id());
        Assert.Equal(id, (await manu.GetCaseAsync(id)).Id());
        await (await otto.GetAsync($"/api/v1/cases/{id}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await otto.ActAsync(id, "notes", new { text = "probe" })).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await otto.ActAsync(id, "acknowledge")).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.DoesNotContain(await ListAsync(otto, ""), c => c.Id() == id);
        Assert.Contains(await ListAsync(fran, $"team={team.Text("key")}"), c => c.Id() == id);
        Assert.Contains(await ListAsync(fran, "assignee=me"), c => c.Id() == id);

        // Every filter at once, an agent's teams included, sorted by priority and paged: the most values one list
        // statement takes. Two cases match, one per page.
        var twin = (await _ingest.OpenCaseAsync(_admin)).Id();
        await _admin.ActOkAsync(twin, "assign", new { team = team.Text("key"), assigneeId = frontline.UserId });
        var shown = await fran.GetCaseAsync(id);
        var everything = $"team={team.Text("key")}&assignee=me&status=open&priority={shown.Text("priority")},urgent&level=frontline,management"
            + $"&overdue=false&topic=delivery&sort=priority";
        var first = await fran.GetFromJsonAsync<JsonElement>($"/api/v1/cases?pageSize=1&{everything}");
        var cursor = Uri.EscapeDataString(first.GetProperty("nextCursor").GetString()!);
        var second = await fran.GetFromJsonAsync<JsonElement>($"/api/v1/cases?pageSize=1&{everything}&cursor={cursor}");
        Assert.Equal(
            new[] { id, twin }.Order(),
            first.GetProperty("items").EnumerateArray().Concat(second.GetProperty("items").EnumerateArray()).Select(c => c.Id()).Order());
        Assert.Equal(JsonValueKind.Null, second.GetProperty("nextCursor").ValueKind);
        var customer = shown.GetProperty("customerId").GetGuid();
        Assert.Equal([id], (await ListAsync(fran, $"{everything}&customerId={customer}")).Select(c => c.Id()));
        await _admin.ActOkAsync(twin, "assign", new { team = "cx-emea" });

        // Escalated to management: the frontline member loses it, the manager keeps it.
        await fran.ActOkAsync(id, "escalate", new { reason = "Customer threatens to churn; needs a goodwill credit." });
        await (await fran.GetAsync($"/api/v1/cases/{id}")).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.DoesNotContain(await ListAsync(fran, ""), c => c.Id() == id);
        var managed = await manu.GetCaseAsync(id);
        Assert.Equal("management", managed.Text("level"));
        Assert.Contains(await ListAsync(manu, "level=management"), c => c.Id() == id);

        // Executive level is above both; admins see everything.
        await manu.ActOkAsync(id, "escalate", new { reason = "Structural: carrier contract.", level = "executive" });
        await (await manu.GetAsync($"/api/v1/cases/{id}")).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal("executive", (await _admin.GetCaseAsync(id)).Text("level"));
        var top = await (await _admin.ActAsync(id, "escalate", new { reason = "again" })).AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("highest", top.Text("detail"));
    }

    [Fact]
    public async Task Callers_without_the_agent_role_cannot_reach_cases()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.Client(null).GetAsync("/api/v1/cases")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await factory.Client(ApiFactory.IngestKey).GetAsync("/api/v1/cases")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await factory.Client(ApiFactory.AnalystKey).GetAsync("/api/v1/cases")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await factory.Client(ApiFactory.AgentKey).PostAsJsonAsync("/api/v1/teams", new { key = "x", name = "x" })).StatusCode);
    }

    [Fact]
    public async Task Automatic_assignment_picks_the_least_loaded_available_member_at_the_case_level()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var key = "auto-" + suffix;
        await _admin.CreateTeamAsync(new
        {
            key,
            name = "Auto assignment",
            members = new object[]
            {
                new { userId = "u-ana-" + suffix, name = "Ana", level = "frontline" },
                new { userId = "u-ben-" + suffix, name = "Ben", level = "frontline" },
                new { userId = "u-cyd-" + suffix, name = "Cyd", level = "frontline", available = false },
            },
        });

        var assignees = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var id = (await _ingest.OpenCaseAsync(_admin)).Id();
            assignees.Add((await _admin.ActOkAsync(id, "assign", new { team = key, auto = true })).Text("assigneeId"));
        }

        // Ana and Ben alternate (ties go by name); Cyd is away.
        Assert.Equal(["u-ana-" + suffix, "u-ben-" + suffix, "u-ana-" + suffix, "u-ben-" + suffix], assignees);
        var manual = await (await _admin.ActAsync((await _ingest.OpenCaseAsync(_admin)).Id(), "assign", new { team = key, assigneeId = "u-nobody" })).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("not a member", manual.GetProperty("errors").GetProperty("assigneeId")[0].GetString());
    }

    private static async Task<List<JsonElement>> ListAsync(HttpClient client, string query)
    {
        var page = await client.GetFromJsonAsync<JsonElement>($"/api/v1/cases?pageSize=500&{query}");
        return [.. page.GetProperty("items").EnumerateArray()];
    }
}

public sealed class SqliteCaseAccessTests(SqliteCasesFactory factory) : CaseAccessTests<SqliteCasesFactory>(factory);

public sealed class PostgresCaseAccessTests(PostgresCasesFactory factory) : CaseAccessTests<PostgresCasesFactory>(factory);
