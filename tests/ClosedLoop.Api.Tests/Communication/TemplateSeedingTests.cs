using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ClosedLoop.Api.Tests.Infrastructure;
using ClosedLoop.Persistence;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace ClosedLoop.Api.Tests.Communication;

/// <summary>
/// The seed templates are imported once however many hosts start together; a changed file arrives as a new
/// version while nobody has edited the template, an admin's edit is never overwritten, and a broken file is
/// skipped without stopping the host.
/// </summary>
public abstract class TemplateSeedingTests(ITestOutputHelper output)
{
    private const string Base = "/api/v1/templates";

    protected abstract DatabaseProvider Provider { get; }

    protected abstract Task<string> CreateDatabaseAsync();

    protected virtual void DropDatabase(string connectionString)
    {
    }

    [Fact]
    public async Task Replicas_seed_once_changed_files_become_versions_and_admin_edits_stay()
    {
        var connection = await CreateDatabaseAsync();
        var seeds = Directory.CreateTempSubdirectory("closedloop-templates-");
        try
        {
            var source = Path.Combine(AppContext.BaseDirectory, "templates");
            File.Copy(Path.Combine(source, "sample-model.json"), Path.Combine(seeds.FullName, "sample-model.json"));
            foreach (var key in new[] { "resolution", "case-assigned" })
            {
                var folder = Directory.CreateDirectory(Path.Combine(seeds.FullName, key));
                foreach (var file in Directory.GetFiles(Path.Combine(source, key)))
                {
                    File.Copy(file, Path.Combine(folder.FullName, Path.GetFileName(file)));
                }
            }

            // The deploy step migrates once (as the AppHost does before starting replicas): nothing seeded yet.
            await using (var deploy = new SeedHost(Provider, connection, seeds.FullName, output, "deploy", seed: false))
            {
                await (await deploy.Client(ApiFactory.AdminKey).GetAsync($"{Base}/resolution")).AssertProblemAsync(HttpStatusCode.NotFound);
            }

            await using (var first = new SeedHost(Provider, connection, seeds.FullName, output, "replica-1"))
            await using (var second = new SeedHost(Provider, connection, seeds.FullName, output, "replica-2"))
            {
                await Task.WhenAll(Task.Run(() => first.Server), Task.Run(() => second.Server));

                var admin = first.Client(ApiFactory.AdminKey);
                foreach (var key in new[] { "resolution", "case-assigned" })
                {
                    var versions = await VersionsAsync(admin, key);
                    Assert.Equal("seed", Assert.Single(versions).GetProperty("origin").GetString());
                }

                var edited = JsonDocument.Parse(await admin.GetStringAsync($"{Base}/case-assigned")).RootElement.GetProperty("languages").Clone();
                var languages = JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, string>>>(edited.GetRawText())!;
                languages["en"]["subject"] = "Yours now: {{ supportCase.reference }}";
                Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"{Base}/case-assigned", new { languages })).StatusCode);
            }

            // The files change: both templates' English subjects, a broken template and a new one.
            File.WriteAllText(Path.Combine(seeds.FullName, "resolution", "en.subject.txt"), "What we changed for you, {{ customer.name }}\n");
            File.WriteAllText(Path.Combine(seeds.FullName, "case-assigned", "en.subject.txt"), "From the file: {{ supportCase.reference }}\n");
            WriteTemplate(seeds.FullName, "broken", "{{ include 'resolution' }}");
            WriteTemplate(seeds.FullName, "extra", "Extra for {{ customer.name }}");
            for (var start = 1; start <= 2; start++)
            {
                // Twice: a second start with the same files adds nothing.
                await using var later = new SeedHost(Provider, connection, seeds.FullName, output, $"later-{start}");
                var admin = later.Client(ApiFactory.AdminKey);

                var resolution = JsonDocument.Parse(await admin.GetStringAsync($"{Base}/resolution")).RootElement;
                Assert.Equal((2, "seed"), (resolution.GetProperty("version").GetInt32(), resolution.GetProperty("origin").GetString()));
                Assert.Equal("What we changed for you, {{ customer.name }}", resolution.GetProperty("languages").GetProperty("en").GetProperty("subject").GetString());

                var assigned = JsonDocument.Parse(await admin.GetStringAsync($"{Base}/case-assigned")).RootElement;
                Assert.Equal((2, "put"), (assigned.GetProperty("version").GetInt32(), assigned.GetProperty("origin").GetString()));
                Assert.Equal("Yours now: {{ supportCase.reference }}", assigned.GetProperty("languages").GetProperty("en").GetProperty("subject").GetString());

                await (await admin.GetAsync($"{Base}/broken")).AssertProblemAsync(HttpStatusCode.NotFound);
                Assert.Single(await VersionsAsync(admin, "extra"));
                Assert.Equal(HttpStatusCode.OK, (await later.Client(null).GetAsync("/health")).StatusCode);
            }
        }
        finally
        {
            seeds.Delete(recursive: true);
            DropDatabase(connection);
        }
    }

    private static void WriteTemplate(string directory, string key, string text)
    {
        var folder = Directory.CreateDirectory(Path.Combine(directory, key)).FullName;
        File.WriteAllText(Path.Combine(folder, "en.subject.txt"), key);
        File.WriteAllText(Path.Combine(folder, "en.html"), $"<p>{text}</p>");
        File.WriteAllText(Path.Combine(folder, "en.txt"), text);
    }

    private static async Task<List<JsonElement>> VersionsAsync(HttpClient client, string key) =>
        JsonDocument.Parse(await client.GetStringAsync($"{Base}/{key}/versions")).RootElement.GetProperty("items").EnumerateArray().Select(e => e.Clone()).ToList();

    /// <summary>A host on a database the test owns, reading its seed templates from the test's folder.</summary>
    private sealed class SeedHost(DatabaseProvider provider, string connectionString, string templateDirectory, ITestOutputHelper output, string name, bool seed = true) : ApiFactory
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
            settings["Communication:TemplateDirectory"] = templateDirectory;
            settings["Communication:SeedOnStartup"] = seed ? "true" : "false";
        }
    }
}

public sealed class SqliteTemplateSeedingTests(ITestOutputHelper output) : TemplateSeedingTests(output)
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

public sealed class PostgresTemplateSeedingTests(ITestOutputHelper output) : TemplateSeedingTests(output)
{
    protected override DatabaseProvider Provider => DatabaseProvider.PostgreSql;

    protected override Task<string> CreateDatabaseAsync() => TestPostgres.CreateDatabaseAsync();
}
