using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClosedLoop.Api.Tests.Infrastructure;
using ClosedLoop.Persistence;

namespace ClosedLoop.Api.Tests.Workflows;

/// <summary>
/// The default loops: a changed file arrives as a new version while nobody edited the loop, an admin's edit is never
/// overwritten, and a broken file is skipped without stopping the host.
/// </summary>
public abstract class WorkflowSeedingTests
{
    private const string Base = "/api/v1/workflow-definitions";

    protected abstract DatabaseProvider Provider { get; }

    protected abstract Task<string> CreateDatabaseAsync();

    [Fact]
    public async Task Changed_files_become_versions_admin_edits_stay_and_broken_files_are_skipped()
    {
        var connection = await CreateDatabaseAsync();
        var seeds = Directory.CreateTempSubdirectory("closedloop-workflows-");
        try
        {
            WriteLoop(seeds.FullName, "seeded", "Seeded v1");
            WriteLoop(seeds.FullName, "edited", "Edited v1");
            await using (var host = new SeedHost(Provider, connection, seeds.FullName))
            {
                var admin = host.Client(ApiFactory.AdminKey);
                Assert.Equal([1], await VersionsAsync(admin, "seeded"));

                // An admin publishes their own version of one of them.
                var draft = JsonNode.Parse(await admin.GetStringAsync($"{Base}/edited"))!;
                draft["name"] = "Edited by an admin";
                Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"{Base}/edited", new StringContent(draft.ToJsonString(), Encoding.UTF8, "application/json"))).StatusCode);
                Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"{Base}/edited/publish", null)).StatusCode);
            }

            WriteLoop(seeds.FullName, "seeded", "Seeded v2");
            WriteLoop(seeds.FullName, "edited", "Edited v2 from the files");
            File.WriteAllText(Path.Combine(seeds.FullName, "broken.json"), """{ "definitionId": "broken", "name": "Broken", "root": { "type": "Flowchart", "activities": [], "connections": [] } }""");
            await using (var host = new SeedHost(Provider, connection, seeds.FullName))
            {
                var admin = host.Client(ApiFactory.AdminKey);
                Assert.Equal([2, 1], await VersionsAsync(admin, "seeded"));
                Assert.Equal("Seeded v2", (await admin.GetFromJsonAsync<JsonElement>($"{Base}/seeded")).GetProperty("name").GetString());
                Assert.Equal([2, 1], await VersionsAsync(admin, "edited"));
                Assert.Equal("Edited by an admin", (await admin.GetFromJsonAsync<JsonElement>($"{Base}/edited")).GetProperty("name").GetString());
                await (await admin.GetAsync($"{Base}/broken")).AssertProblemAsync(HttpStatusCode.NotFound);
            }

            // Unchanged files write nothing.
            await using (var host = new SeedHost(Provider, connection, seeds.FullName))
            {
                Assert.Equal([2, 1], await VersionsAsync(host.Client(ApiFactory.AdminKey), "seeded"));
            }
        }
        finally
        {
            seeds.Delete(recursive: true);
        }
    }

    /// <summary>Start → a day's wait → End, with the engine's own activities.</summary>
    private static void WriteLoop(string directory, string id, string name) =>
        File.WriteAllText(Path.Combine(directory, id + ".json"), new JsonObject
        {
            ["definitionId"] = id,
            ["name"] = name,
            ["root"] = new JsonObject
            {
                ["type"] = "Flowchart",
                ["activities"] = new JsonArray(
                    new JsonObject { ["id"] = "start", ["type"] = "Start" },
                    new JsonObject { ["id"] = "wait", ["type"] = "Delay", ["duration"] = new JsonObject { ["expression"] = new JsonObject { ["type"] = "Literal", ["value"] = "1.00:00:00" } } },
                    new JsonObject { ["id"] = "end", ["type"] = "End" }),
                ["connections"] = new JsonArray(Connect("start", "wait"), Connect("wait", "end")),
            },
        }.ToJsonString());

    private static JsonObject Connect(string from, string to) => new()
    {
        ["source"] = new JsonObject { ["activity"] = from, ["port"] = "Done" },
        ["target"] = new JsonObject { ["activity"] = to, ["port"] = "In" },
    };

    private static async Task<List<int>> VersionsAsync(HttpClient client, string id) =>
        [.. (await client.GetFromJsonAsync<JsonElement>($"{Base}/{id}/versions")).EnumerateArray().Select(v => v.GetProperty("version").GetInt32())];

    /// <summary>A host on the test's database, reading its default loops from the test's folder.</summary>
    private sealed class SeedHost(DatabaseProvider provider, string connectionString, string directory) : ApiFactory
    {
        public override DatabaseProvider Provider => provider;

        protected override void Configure(IDictionary<string, string?> settings)
        {
            settings["ConnectionStrings:closedloop"] = connectionString;
            settings["Workflows:SeedDirectory"] = directory;
        }
    }
}

public sealed class SqliteWorkflowSeedingTests : WorkflowSeedingTests
{
    protected override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    protected override Task<string> CreateDatabaseAsync()
    {
        var folder = Path.Combine(Path.GetTempPath(), "closedloop-tests");
        Directory.CreateDirectory(folder);
        return Task.FromResult($"Data Source={Path.Combine(folder, Guid.NewGuid().ToString("N") + ".db")}");
    }
}

public sealed class PostgresWorkflowSeedingTests : WorkflowSeedingTests
{
    protected override DatabaseProvider Provider => DatabaseProvider.PostgreSql;

    protected override Task<string> CreateDatabaseAsync() => TestPostgres.CreateDatabaseAsync();
}
