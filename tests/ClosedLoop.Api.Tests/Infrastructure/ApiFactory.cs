using System.Net.Http.Headers;
using System.Net.Http.Json;
using ClosedLoop.Api.Platform.Data;
using ClosedLoop.Api.Security;
using ClosedLoop.Persistence;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ClosedLoop.Api.Tests.Infrastructure;

/// <summary>The real host on a real, empty database of its own. Subclasses pick the provider and settings.</summary>
public abstract class ApiFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string AdminKey = "dev-admin-key";
    public const string AgentKey = "dev-agent-key";
    public const string AnalystKey = "dev-analyst-key";
    public const string IngestKey = "dev-ingest-key";

    private string? _sqliteFile;

    public abstract DatabaseProvider Provider { get; }

    public string ConnectionString { get; protected set; } = "";

    protected virtual string EnvironmentName => "Development";

    public virtual async Task InitializeAsync()
    {
        if (Provider == DatabaseProvider.PostgreSql)
        {
            ConnectionString = await TestPostgres.CreateDatabaseAsync();
        }
        else
        {
            var folder = Path.Combine(Path.GetTempPath(), "closedloop-tests");
            Directory.CreateDirectory(folder);
            _sqliteFile = Path.Combine(folder, Guid.NewGuid().ToString("N") + ".db");
            ConnectionString = $"Data Source={_sqliteFile}";
        }
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        if (_sqliteFile is null)
        {
            // The host is gone, but its idle PostgreSQL connections would stay open for Npgsql's idle lifetime (5 min)
            // while later fixtures open theirs: close them now (connections in use elsewhere close when returned).
            Npgsql.NpgsqlConnection.ClearAllPools();
        }
        else
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var file in new[] { _sqliteFile, _sqliteFile + "-wal", _sqliteFile + "-shm" })
            {
                File.Delete(file);
            }
        }
    }

    /// <summary>A client that sends <paramref name="apiKey"/> (none when null).</summary>
    public HttpClient Client(string? apiKey)
    {
        var client = CreateClient();
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.HeaderName, apiKey);
        }

        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return client;
    }

    /// <summary>Creates a real key through the API (as the development admin) and returns its secret.</summary>
    public async Task<string> CreateKeyAsync(string role, string? name = null)
    {
        var response = await Client(AdminKey).PostAsJsonAsync("/api/v1/api-keys", new { name = name ?? $"test {role} {Guid.NewGuid():N}", role });
        response.EnsureSuccessStatusCode();
        var created = await response.Content.ReadFromJsonAsync<CreatedKey>();
        return created!.Secret;
    }

    /// <summary>Writes a key straight into the database, for environments without development keys.</summary>
    public async Task<string> SeedKeyAsync(string role, DateTimeOffset? expiresAt = null)
    {
        var secret = ApiKeySecrets.NewSecret();
        using var scope = Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        db.ApiKeys.Add(new ApiKey
        {
            Id = Guid.CreateVersion7(),
            Name = "seeded " + role,
            Role = role,
            Prefix = ApiKeySecrets.DisplayPrefix(secret),
            Hash = ApiKeySecrets.Hash(secret),
            CreatedAt = DateTimeOffset.UtcNow,
            CreatedBy = "test",
            ExpiresAt = expiresAt,
        });
        await db.SaveChangesAsync();
        return secret;
    }

    protected virtual void Configure(IDictionary<string, string?> settings)
    {
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Database:Provider"] = Provider.ToString(),
            ["ConnectionStrings:closedloop"] = ConnectionString,

            // The production budget (250 ms) sends an item to the default route when its rules take longer, and a
            // CI host running four test processes on two cores can stall that long: an item then lands in triage at
            // normal priority and a test that expects its routed case fails. Tests of that time-out set it again.
            [RuleBudgets.Evaluation] = "00:00:05",
            // Loops run only in the hosts of the workflow tests (WorkflowHosts.Enable): elsewhere a default loop's
            // acknowledgement and escalations would change what a test about messages or cases counts.
            ["Workflows:Runtime:Enabled"] = "false",
            ["Workflows:Timers:Enabled"] = "false",
            [RuleBudgets.DryRun] = "00:00:10",
        };
        Configure(settings);
        builder.UseEnvironment(EnvironmentName);
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }

    private sealed record CreatedKey(Guid Id, string Secret);
}

/// <summary>The settings that let a test host run loops: the runner and the timer scheduler on.</summary>
public static class WorkflowHosts
{
    public static void Enable(IDictionary<string, string?> settings)
    {
        settings["Workflows:Runtime:Enabled"] = "true";
        settings["Workflows:Timers:Enabled"] = "true";
    }
}

public class SqliteApiFactory : ApiFactory
{
    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;
}

public class PostgresApiFactory : ApiFactory
{
    public override DatabaseProvider Provider => DatabaseProvider.PostgreSql;
}

/// <summary>The rules engine's time budgets as settings, and the production one for tests of what a time-out does.</summary>
public static class RuleBudgets
{
    public const string Evaluation = "Rules:EvaluationBudget";
    public const string DryRun = "Rules:DryRunBudget";

    /// <summary>The shipped evaluation budget (appsettings.json), under which the tests' runaway rules time out.</summary>
    public const string Production = "00:00:00.250";
}
