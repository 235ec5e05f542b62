using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ClosedLoop.Api.Tests.Imports;
using ClosedLoop.Api.Tests.Infrastructure;
using ClosedLoop.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace ClosedLoop.Api.Tests.Cases;

/// <summary>
/// A database that held cases before agents were scoped to their customers: the upgrade's migrations and the one-time
/// backfill make every existing case count, so agents keep seeing the customers of their teams' cases.
/// </summary>
public abstract class CaseAccessUpgradeTests(DatabaseProvider provider)
{
    private const string Migration = "CaseAccess";

    [Fact]
    public async Task Customers_of_cases_opened_before_the_upgrade_are_visible_to_their_agents_after_it()
    {
        await using var database = await SharedDatabase.CreateAsync(provider);
        var suffix = Guid.NewGuid().ToString("N")[..8];
        (string Secret, string UserId) agent;
        Guid customerId, feedbackId;
        await using (var before = database.Host())
        {
            var admin = before.Client(ApiFactory.AdminKey);
            agent = await admin.CreateAgentAsync("Upgraded " + suffix);
            var team = (await admin.CreateTeamAsync(new
            {
                key = "upgrade-" + suffix,
                name = "Upgrade test team",
                members = new object[] { new { userId = agent.UserId, name = "Upgraded", level = "frontline" } },
            })).Text("key");
            var opened = await before.Client(ApiFactory.IngestKey).OpenCaseAsync(admin);
            (customerId, feedbackId) = (opened.GetProperty("customerId").GetGuid(), opened.GetProperty("feedbackId").GetGuid());
            await admin.ActOkAsync(opened.Id(), "assign", new { team });
            var client = before.Client(agent.Secret);
            await WaitForAsync(async () => (await client.GetAsync($"/api/v1/customers/{customerId}")).StatusCode == HttpStatusCode.OK, "the agent to see the customer");

            // Back to the schema before the change: Feedback without its copy of who sees which case, Cases without
            // the backfill's row. What stays is what an old database holds: cases, and their old events, all handled.
            await DowngradeAsync(before, "feedback");
            await DowngradeAsync(before, "cases");
        }

        await using var after = database.Host();
        Assert.Empty(await after.Services.GetRequiredService<DatabaseMigrator>().PendingAsync());
        var upgraded = after.Client(agent.Secret);
        await WaitForAsync(async () => (await upgraded.GetAsync($"/api/v1/customers/{customerId}")).StatusCode == HttpStatusCode.OK, "the backfill to make the old case count");
        Assert.Equal(customerId, (await upgraded.GetFromJsonAsync<JsonElement>($"/api/v1/feedback/{feedbackId}")).GetProperty("customer").GetProperty("id").GetGuid());
        var page = await upgraded.GetFromJsonAsync<JsonElement>($"/api/v1/feedback?customerId={customerId}");
        Assert.Equal([feedbackId], page.GetProperty("items").EnumerateArray().Select(i => i.Id()));

        // The pass is recorded as done, so it never runs again; it published the case once, at its version then
        // (1, after the assignment, which had published version 1 itself).
        await WaitForAsync(async () => await CompletedBackfillsAsync(after) == 1, "the backfill to be recorded as done");
        Assert.Equal(2, await CountAccessEventsAsync(after, customerId, "\"version\":1"));
    }

    private static async Task<long> CompletedBackfillsAsync(ApiFactory host)
    {
        using var scope = host.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ClosedLoop.Api.Platform.Data.PlatformDbContext>();
        var table = host.Provider == DatabaseProvider.Sqlite ? "cases_backfills" : "cases.backfills";
        var sql = "SELECT COUNT(*) AS \"Value\" FROM " + table + " WHERE \"CompletedAt\" IS NOT NULL";
        return await db.Database.SqlQueryRaw<long>(sql).SingleAsync();
    }

    /// <summary>Migrates one module's schema down to the migration before <see cref="Migration"/>.</summary>
    private static async Task DowngradeAsync(ApiFactory host, string schema)
    {
        using var scope = host.Services.CreateScope();
        var registration = scope.ServiceProvider.GetServices<ModuleDbContextRegistration>().Single(r => r.Schema == schema);
        var db = (DbContext)scope.ServiceProvider.GetRequiredService(registration.ContextType);
        var migrations = db.Database.GetMigrations().ToList();
        var index = migrations.FindIndex(m => m.EndsWith("_" + Migration, StringComparison.Ordinal));
        Assert.True(index > 0, $"{schema} has no migration {Migration}");
        await db.GetService<IMigrator>().MigrateAsync(migrations[index - 1]);
    }

    /// <summary>CaseAccessChanged events in the Cases outbox for the customer's cases whose payload contains <paramref name="fragment"/>.</summary>
    private static async Task<int> CountAccessEventsAsync(ApiFactory host, Guid customerId, string fragment)
    {
        using var scope = host.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ClosedLoop.Api.Platform.Data.PlatformDbContext>();
        var table = host.Provider == DatabaseProvider.Sqlite ? "cases_outbox_messages" : "cases.outbox_messages";
        var sql = "SELECT \"Payload\" AS \"Value\" FROM " + table + " WHERE \"Type\" LIKE '%CaseAccessChangedIntegrationEvent'";
        var rows = await db.Database.SqlQueryRaw<string>(sql).ToListAsync();
        return rows.Count(p => p.Contains(customerId.ToString(), StringComparison.OrdinalIgnoreCase) && p.Contains(fragment, StringComparison.Ordinal));
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        var patience = TimeSpan.FromSeconds(60);
        var deadline = DateTime.UtcNow + patience;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Waited {patience.TotalSeconds:0} s for {what}.");
            await Task.Delay(50);
        }
    }
}

public sealed class SqliteCaseAccessUpgradeTests() : CaseAccessUpgradeTests(DatabaseProvider.Sqlite);

public sealed class PostgresCaseAccessUpgradeTests() : CaseAccessUpgradeTests(DatabaseProvider.PostgreSql);
