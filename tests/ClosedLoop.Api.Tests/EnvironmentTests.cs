using System.Net;
using System.Text.Json;
using ClosedLoop.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClosedLoop.Api.Tests;

public class ProductionSqliteFactory : SqliteApiFactory
{
    protected override string EnvironmentName => "Production";
}

public class ProductionPostgresFactory : PostgresApiFactory
{
    protected override string EnvironmentName => "Production";
}

/// <summary>Outside Development: no development keys, and failures say nothing of the internals.</summary>
public abstract class ProductionTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : ApiFactory
{
    [Fact]
    public async Task Development_keys_do_not_exist_outside_development()
    {
        var response = await factory.Client(ApiFactory.AdminKey).GetAsync("/api/v1/audit");

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task An_unhandled_failure_is_a_500_problem_with_a_trace_id_and_no_stack_trace()
    {
        var admin = factory.Client(await factory.SeedKeyAsync("admin"));
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/v1/audit")).StatusCode);
        await BreakAuditTableAsync(factory);

        var response = await admin.GetAsync("/api/v1/audit");

        var problem = await response.AssertProblemAsync(HttpStatusCode.InternalServerError);
        var body = problem.GetRawText();
        Assert.False(problem.TryGetProperty("exception", out _));
        Assert.DoesNotContain(" at ", body);
        Assert.DoesNotContain("audit_entries", body);
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("traceId").GetString()));
    }

    internal static async Task BreakAuditTableAsync(ApiFactory factory)
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<Platform.Data.PlatformDbContext>();
        var drop = factory.Provider == Persistence.DatabaseProvider.Sqlite ? "DROP TABLE platform_audit_entries" : "DROP TABLE platform.audit_entries";
        await db.Database.ExecuteSqlRawAsync(drop);
    }
}

public sealed class SqliteProductionTests(ProductionSqliteFactory factory) : ProductionTests<ProductionSqliteFactory>(factory);

public sealed class PostgresProductionTests(ProductionPostgresFactory factory) : ProductionTests<ProductionPostgresFactory>(factory);

/// <summary>In Development the same failure shows the exception, to help the developer.</summary>
public sealed class DevelopmentFailureTests(SqliteApiFactory factory) : IClassFixture<SqliteApiFactory>
{
    [Fact]
    public async Task In_development_a_500_problem_carries_the_exception()
    {
        await ProductionTests<SqliteApiFactory>.BreakAuditTableAsync(factory);

        var response = await factory.Client(ApiFactory.AdminKey).GetAsync("/api/v1/audit");

        var problem = await response.AssertProblemAsync(HttpStatusCode.InternalServerError);
        Assert.Contains("audit_entries", problem.GetProperty("exception").GetString());
    }
}

public sealed class DevelopmentKeysInProductionTests
{
    private sealed class Factory : ProductionSqliteFactory
    {
        protected override void Configure(IDictionary<string, string?> settings)
        {
            settings["Auth:DevelopmentKeys:0:Key"] = "dev-admin-key";
            settings["Auth:DevelopmentKeys:0:Role"] = "admin";
        }
    }

    [Fact]
    public async Task The_host_refuses_to_start_outside_development_with_development_keys_configured()
    {
        await using var factory = new Factory();
        await ((IAsyncLifetime)factory).InitializeAsync();

        var error = Assert.Throws<OptionsValidationException>(() => factory.CreateClient());

        Assert.Contains("DevelopmentKeys", error.Message);
    }
}

/// <summary>A database whose migrations have not run is not ready.</summary>
public abstract class UnmigratedTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : ApiFactory
{
    [Fact]
    public async Task Health_is_503_naming_the_pending_migrations_while_alive_is_200()
    {
        var client = factory.Client(null);

        var health = await client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        var report = JsonDocument.Parse(await health.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains("Migrations pending", report.GetProperty("checks").GetProperty("database").GetProperty("description").GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/alive")).StatusCode);
    }
}

public class UnmigratedSqliteFactory : SqliteApiFactory
{
    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Database:MigrateOnStartup"] = "false";
        settings["Messaging:DispatcherEnabled"] = "false";
    }
}

public class UnmigratedPostgresFactory : PostgresApiFactory
{
    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Database:MigrateOnStartup"] = "false";
        settings["Messaging:DispatcherEnabled"] = "false";
    }
}

public sealed class SqliteUnmigratedTests(UnmigratedSqliteFactory factory) : UnmigratedTests<UnmigratedSqliteFactory>(factory);

public sealed class PostgresUnmigratedTests(UnmigratedPostgresFactory factory) : UnmigratedTests<UnmigratedPostgresFactory>(factory);
