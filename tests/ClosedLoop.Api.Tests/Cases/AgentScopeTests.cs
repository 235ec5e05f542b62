using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ClosedLoop.Api.Tests.Infrastructure;

namespace ClosedLoop.Api.Tests.Cases;

/// <summary>
/// An agent reads a customer, and that customer's feedback, only while it may see one of the customer's cases (the
/// case rule: a member of the case's team at the case's level or higher); everything else answers 404 or is left out of
/// lists. Teams show an agent only its own. Analysts and admins keep their reach. Who sees which case reaches the
/// Feedback module by an event after the case's change commits, so the tests wait for a change to show.
/// </summary>
public abstract class AgentScopeTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : ApiFactory, ICasesFactory
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly HttpClient _ingest = factory.Client(ApiFactory.IngestKey);
    private readonly HttpClient _admin = factory.Client(ApiFactory.AdminKey);

    [Fact]
    public async Task An_agent_sees_a_customer_and_their_feedback_only_through_a_case_it_may_see()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var frontline = await _admin.CreateAgentAsync("Fran " + suffix);
        var manager = await _admin.CreateAgentAsync("Manu " + suffix);
        var other = await _admin.CreateAgentAsync("Otto " + suffix);
        var loner = await _admin.CreateAgentAsync("Nemo " + suffix);
        var team = (await _admin.CreateTeamAsync(new
        {
            key = "scope-" + suffix,
            name = "Scope test team",
            members = new object[]
            {
                new { userId = frontline.UserId, name = "Fran", level = "frontline" },
                new { userId = manager.UserId, name = "Manu", level = "management" },
            },
        })).Text("key");
        var otherTeam = (await _admin.CreateTeamAsync(new
        {
            key = "scope-other-" + suffix,
            name = "Another team",
            members = new object[] { new { userId = other.UserId, name = "Otto", level = "executive" } },
        })).Text("key");
        var (fran, manu, otto, nemo) = (factory.Client(frontline.Secret), factory.Client(manager.Secret), factory.Client(other.Secret), factory.Client(loner.Secret));
        var analyst = factory.Client(ApiFactory.AnalystKey);
        var everyTeam = factory.Client(ApiFactory.AgentKey);

        // A customer with a case (routed to a default team) and a second piece of feedback that opened none.
        var opened = await _ingest.OpenCaseAsync(_admin);
        var (caseId, customerId, feedbackId) = (opened.Id(), opened.GetProperty("customerId").GetGuid(), opened.GetProperty("feedbackId").GetGuid());
        var externalId = (await _admin.GetFromJsonAsync<JsonElement>($"/api/v1/customers/{customerId}")).Text("externalId");
        var source = FeedbackBuilder.NewSource();
        var praise = await _ingest.CreateAsync(FeedbackBuilder.Item(source, score: 10, comment: "Thanks, all sorted now.", customer: externalId));
        Assert.NotEqual(team, opened.Text("team"));

        // Nobody of the new teams sees the customer yet.
        foreach (var agent in new[] { fran, manu, otto, nemo })
        {
            await AssertHiddenAsync(agent, customerId, feedbackId, praise, source);
        }

        // Moved to Fran's team: Fran and Manu see the customer, with all of its feedback.
        await _admin.ActOkAsync(caseId, "assign", new { team });
        await WaitForAsync(() => SeesCustomerAsync(fran, customerId), "the frontline member of the case's new team to see its customer");
        await AssertVisibleAsync(fran, customerId, feedbackId, praise, source);
        await AssertVisibleAsync(manu, customerId, feedbackId, praise, source);
        await AssertHiddenAsync(otto, customerId, feedbackId, praise, source);
        await AssertHiddenAsync(nemo, customerId, feedbackId, praise, source);

        // Escalated above Fran's level: Fran loses the customer, Manu keeps it.
        await _admin.ActOkAsync(caseId, "escalate", new { reason = "Needs a goodwill credit.", level = "management" });
        await WaitForAsync(async () => !await SeesCustomerAsync(fran, customerId), "the frontline member to lose the customer of an escalated case");
        await AssertHiddenAsync(fran, customerId, feedbackId, praise, source);
        await AssertVisibleAsync(manu, customerId, feedbackId, praise, source);

        // Reassigned to Otto's team, where Otto works at executive level: Otto gains it, Manu loses it.
        await _admin.ActOkAsync(caseId, "assign", new { team = otherTeam });
        await WaitForAsync(() => SeesCustomerAsync(otto, customerId), "a member of the case's new team to see its customer");
        await AssertVisibleAsync(otto, customerId, feedbackId, praise, source);
        await AssertHiddenAsync(manu, customerId, feedbackId, praise, source);
        await AssertHiddenAsync(fran, customerId, feedbackId, praise, source);
        await AssertHiddenAsync(nemo, customerId, feedbackId, praise, source);

        // Admins and every-team members see everything, analysts all feedback (customers were never theirs).
        await AssertVisibleAsync(_admin, customerId, feedbackId, praise, source);
        await AssertVisibleAsync(everyTeam, customerId, feedbackId, praise, source);
        Assert.Equal(HttpStatusCode.OK, (await analyst.GetAsync($"/api/v1/feedback/{feedbackId}")).StatusCode);
        Assert.Equal(new[] { feedbackId, praise }.Order(), (await ListAsync(analyst, $"customerId={customerId}")).Order());
        Assert.Equal(HttpStatusCode.Forbidden, (await analyst.GetAsync($"/api/v1/customers/{customerId}")).StatusCode);
    }

    [Fact]
    public async Task An_agent_lists_and_reads_only_its_own_teams()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var member = await _admin.CreateAgentAsync("Member " + suffix);
        var loner = await _admin.CreateAgentAsync("Loner " + suffix);
        var mine = await _admin.CreateTeamAsync(new
        {
            key = "mine-" + suffix,
            name = "Mine",
            members = new object[] { new { userId = member.UserId, name = "Member", level = "management" } },
        });
        var theirs = await _admin.CreateTeamAsync(new
        {
            key = "theirs-" + suffix,
            name = "Theirs",
            members = new object[] { new { userId = "someone-" + suffix, name = "Someone", level = "frontline" } },
        });
        var agent = factory.Client(member.Secret);

        Assert.Equal([mine.Text("key")], await TeamKeysAsync(agent));
        Assert.Equal(mine.Id(), (await agent.GetFromJsonAsync<JsonElement>($"/api/v1/teams/{mine.Text("key")}")).Id());
        Assert.Equal(mine.Text("key"), (await agent.GetFromJsonAsync<JsonElement>($"/api/v1/teams/{mine.Id()}")).Text("key"));
        await (await agent.GetAsync($"/api/v1/teams/{theirs.Text("key")}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await agent.GetAsync($"/api/v1/teams/{theirs.Id()}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await agent.GetAsync("/api/v1/teams/cx-emea")).AssertProblemAsync(HttpStatusCode.NotFound);

        var nobody = factory.Client(loner.Secret);
        Assert.Empty(await TeamKeysAsync(nobody));
        await (await nobody.GetAsync($"/api/v1/teams/{mine.Id()}")).AssertProblemAsync(HttpStatusCode.NotFound);

        foreach (var all in new[] { _admin, factory.Client(ApiFactory.AgentKey) })
        {
            var keys = await TeamKeysAsync(all);
            Assert.Contains(mine.Text("key"), keys);
            Assert.Contains(theirs.Text("key"), keys);
            Assert.Contains("cx-emea", keys);
            Assert.Equal(theirs.Id(), (await all.GetFromJsonAsync<JsonElement>($"/api/v1/teams/{theirs.Text("key")}")).Id());
        }
    }

    private static async Task<List<string>> TeamKeysAsync(HttpClient client) =>
        [.. (await client.GetFromJsonAsync<JsonElement>("/api/v1/teams")).GetProperty("items").EnumerateArray().Select(t => t.Text("key"))];

    private static async Task<bool> SeesCustomerAsync(HttpClient agent, Guid customerId)
    {
        using var response = await agent.GetAsync($"/api/v1/customers/{customerId}");
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return response.StatusCode == HttpStatusCode.OK;
    }

    /// <summary>The customer, both pieces of its feedback, and both in lists (<paramref name="source"/> holds only <paramref name="praise"/>).</summary>
    private static async Task AssertVisibleAsync(HttpClient reader, Guid customerId, Guid feedbackId, Guid praise, string source)
    {
        Guid[] feedback = [feedbackId, praise];
        var customer = await reader.GetFromJsonAsync<JsonElement>($"/api/v1/customers/{customerId}");
        Assert.Equal(feedback.Order(), customer.GetProperty("recentFeedback").EnumerateArray().Select(f => f.Id()).Order());
        foreach (var id in feedback)
        {
            Assert.Equal(customerId, (await reader.GetFromJsonAsync<JsonElement>($"/api/v1/feedback/{id}")).GetProperty("customer").GetProperty("id").GetGuid());
        }

        Assert.Equal(feedback.Order(), (await ListAsync(reader, $"customerId={customerId}")).Order());
        Assert.Equal([praise], await ListAsync(reader, $"source={source}"));
    }

    private static async Task AssertHiddenAsync(HttpClient agent, Guid customerId, Guid feedbackId, Guid praise, string source)
    {
        await (await agent.GetAsync($"/api/v1/customers/{customerId}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await agent.GetAsync($"/api/v1/feedback/{feedbackId}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await agent.GetAsync($"/api/v1/feedback/{praise}")).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Empty(await ListAsync(agent, $"customerId={customerId}"));
        Assert.Empty(await ListAsync(agent, $"customerId={customerId}&category=promoter"));
        Assert.Empty(await ListAsync(agent, $"source={source}"));
    }

    private static async Task<List<Guid>> ListAsync(HttpClient reader, string query)
    {
        var page = await reader.GetFromJsonAsync<JsonElement>($"/api/v1/feedback?pageSize=500&{query}");
        return [.. page.GetProperty("items").EnumerateArray().Select(i => i.Id())];
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Waited {Patience.TotalSeconds:0} s for {what}.");
            await Task.Delay(50);
        }
    }
}

public sealed class SqliteAgentScopeTests(SqliteCasesFactory factory) : AgentScopeTests<SqliteCasesFactory>(factory);

public sealed class PostgresAgentScopeTests(PostgresCasesFactory factory) : AgentScopeTests<PostgresCasesFactory>(factory);
