using System.Net;
using System.Text.Json;
using ClosedLoop.Api.Tests.Infrastructure;
using ClosedLoop.Persistence;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace ClosedLoop.Api.Tests.Rules;

/// <summary>
/// The default rule sets are imported by whichever host starts first, once, however many start together; a
/// later start never overwrites a set the store has, and a broken file is skipped without stopping the host.
/// </summary>
public abstract class RuleSeedingTests(ITestOutputHelper output)
{
    protected abstract DatabaseProvider Provider { get; }

    protected abstract Task<string> CreateDatabaseAsync();

    protected virtual void DropDatabase(string connectionString)
    {
    }

    [Fact]
    public async Task Replicas_seed_each_default_once_and_later_starts_keep_admin_edits()
    {
        var connection = await CreateDatabaseAsync();
        var seeds = Directory.CreateTempSubdirectory("closedloop-seeds-");
        try
        {
            // The deploy step migrates once (as the AppHost does before starting replicas): nothing seeded yet.
            await using (var deploy = new SeedHost(Provider, connection, null, output, "deploy", seed: false))
            {
                Assert.Empty(await deploy.Client(ApiFactory.AdminKey).ItemsAsync(RuleSetApi.Base));
            }

            await using (var first = new SeedHost(Provider, connection, null, output, "replica-1"))
            await using (var second = new SeedHost(Provider, connection, null, output, "replica-2"))
            {
                // Two replicas start at once and both seed the same, empty store.
                await Task.WhenAll(Task.Run(() => first.Server), Task.Run(() => second.Server));

                var admin = first.Client(ApiFactory.AdminKey);
                foreach (var name in new[] { "topics", "routing", "regional-teams" })
                {
                    var versions = await admin.ItemsAsync($"{RuleSetApi.Base}/{name}/versions");
                    Assert.Equal("seed", Assert.Single(versions).GetProperty("origin").GetString());
                }

                await admin.PutOkAsync("routing", File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "rules", "200-routing.json")).Replace("\"urgent\"", "\"high\"", StringComparison.Ordinal));
            }

            // A later start with other files: the edited set stays, a broken file is skipped, a new file is imported.
            File.WriteAllText(Path.Combine(seeds.FullName, "200-routing.json"), RuleSetApi.Tagging("routing", "true", "from-file"));
            File.WriteAllText(Path.Combine(seeds.FullName, "400-broken.json"), RuleSetApi.Tagging("broken", "feedback.GetType() != null", "x"));
            File.WriteAllText(Path.Combine(seeds.FullName, "500-extra.json"), RuleSetApi.Tagging("extra", "true", "extra"));
            File.WriteAllText(Path.Combine(seeds.FullName, "notes.json"), "{}");
            await using (var later = new SeedHost(Provider, connection, seeds.FullName, output, "later"))
            {
                var admin = later.Client(ApiFactory.AdminKey);
                var routing = JsonDocument.Parse(await admin.GetStringAsync($"{RuleSetApi.Base}/routing")).RootElement;
                Assert.Equal((2, "put"), (routing.GetProperty("version").GetInt32(), routing.GetProperty("origin").GetString()));
                Assert.DoesNotContain("from-file", routing.GetProperty("workflow").GetRawText(), StringComparison.Ordinal);
                await (await admin.GetAsync($"{RuleSetApi.Base}/broken")).AssertProblemAsync(HttpStatusCode.NotFound);
                var extra = JsonDocument.Parse(await admin.GetStringAsync($"{RuleSetApi.Base}/extra")).RootElement;
                Assert.Equal((1, 500, "seed", "system"), (extra.GetProperty("version").GetInt32(), extra.GetProperty("order").GetInt32(), extra.GetProperty("origin").GetString(), extra.GetProperty("author").GetString()));
                Assert.Equal(HttpStatusCode.OK, (await later.Client(null).GetAsync("/health")).StatusCode);
            }
        }
        finally
        {
            seeds.Delete(recursive: true);
            DropDatabase(connection);
        }
    }

    /// <summary>A host on a database the test owns, optionally reading its seeds from elsewhere.</summary>
    private sealed class SeedHost(DatabaseProvider provider, string connectionString, string? seedDirectory, ITestOutputHelper output, string name, bool seed = true) : ApiFactory
    {
        public override DatabaseProvider Provider => provider;

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureLogging(logging => logging.AddProvider(new TestOutputLoggerProvider(output, name)));
        }

        protected override void Configure(IDictionary<string, string?> settings)
        {
            settings["ConnectionStrings:closedloop"] = connectionString;
            settings["Rules:SeedOnStartup"] = seed ? "true" : "false";
            if (seedDirectory is not null)
            {
                settings["Rules:SeedDirectory"] = seedDirectory;
            }
        }
    }
}

public sealed class SqliteRuleSeedingTests(ITestOutputHelper output) : RuleSeedingTests(output)
{
    protected override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    protected override Task<string> CreateDatabaseAsync()
    {
        var folder = Path.Combine(Path.GetTempPath(), "closedloop-tests");
        Directory.CreateDirectory(folder);
        return Task.FromResult($"Data Source={Path.Combine(folder, Guid.NewGuid().ToString("N") + ".db")}");
    }

    protected override void DropDatabase(string connectionString)
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var file = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connectionString).DataSource;
        foreach (var path in new[] { file, file + "-wal", file + "-shm" })
        {
            File.Delete(path);
        }
    }
}

public sealed class PostgresRuleSeedingTests(ITestOutputHelper output) : RuleSeedingTests(output)
{
    protected override DatabaseProvider Provider => DatabaseProvider.PostgreSql;

    protected override Task<string> CreateDatabaseAsync() => TestPostgres.CreateDatabaseAsync();
}
