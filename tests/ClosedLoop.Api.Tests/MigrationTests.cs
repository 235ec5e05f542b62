using ClosedLoop.Api.Tests.Infrastructure;
using ClosedLoop.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Configuration;

namespace ClosedLoop.Api.Tests;

/// <summary>Every module's migration set applies to an empty database and matches its model, per provider.</summary>
public abstract class MigrationTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : ApiFactory
{
    protected TFactory Factory { get; } = factory;

    public static readonly string[] Schemas = ["platform", "rules", "workflows", "feedback", "cases", "communication", "insights"];

    [Fact]
    public async Task Every_context_is_fully_migrated_and_matches_its_model()
    {
        using var scope = Factory.Services.CreateScope();
        var registrations = scope.ServiceProvider.GetServices<ModuleDbContextRegistration>().ToList();
        Assert.Equal(Schemas.Order(), registrations.Select(r => r.Schema).Order());
        foreach (var registration in registrations)
        {
            var db = (DbContext)scope.ServiceProvider.GetRequiredService(registration.ContextType);
            var all = db.Database.GetMigrations().ToList();
            Assert.NotEmpty(all);
            Assert.Equal(all, await db.Database.GetAppliedMigrationsAsync());
            Assert.False(db.Database.HasPendingModelChanges(), $"{registration.Schema}: the model has changes no migration captures; run scripts/add-migration.sh");
        }
    }

    [Fact]
    public async Task Each_module_keeps_its_tables_in_its_own_schema_or_prefix()
    {
        using var scope = Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<Platform.Data.PlatformDbContext>();
        var tables = Factory.Provider == DatabaseProvider.Sqlite
            ? await db.Database.SqlQueryRaw<string>("SELECT name AS \"Value\" FROM sqlite_master WHERE type = 'table'").ToListAsync()
            : await db.Database.SqlQueryRaw<string>("SELECT table_schema || '_' || table_name AS \"Value\" FROM information_schema.tables").ToListAsync();

        foreach (var schema in Schemas)
        {
            Assert.Contains($"{schema}_outbox_messages", tables);
            Assert.Contains($"{schema}_inbox_messages", tables);
        }

        Assert.Contains("platform_api_keys", tables);
        Assert.Contains("platform_audit_entries", tables);
        Assert.DoesNotContain("__EFMigrationsHistory", tables);
    }

    [Fact]
    public async Task Migrating_again_is_a_no_op()
    {
        var migrator = Factory.Services.GetRequiredService<DatabaseMigrator>();

        await migrator.MigrateAsync();

        Assert.Empty(await migrator.PendingAsync());
    }
}

public sealed class SqliteMigrationTests(SqliteApiFactory factory) : MigrationTests<SqliteApiFactory>(factory)
{
    [Fact]
    public async Task Sqlite_runs_in_wal_mode()
    {
        using var scope = Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<Platform.Data.PlatformDbContext>();

        var mode = await db.Database.SqlQueryRaw<string>("SELECT journal_mode AS \"Value\" FROM pragma_journal_mode").SingleAsync();

        Assert.Equal("wal", mode);
    }
}

public sealed class PostgresMigrationTests(PostgresApiFactory factory) : MigrationTests<PostgresApiFactory>(factory);

/// <summary>SQL Server cannot run here; its migrations must still match the model and script cleanly.</summary>
public sealed class SqlServerMigrationTests
{
    [Fact]
    public void Every_context_scripts_its_sql_server_migrations_into_its_own_schema()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "SqlServer",
            ["ConnectionStrings:closedloop"] = "Server=localhost;Database=closedloop;TrustServerCertificate=True",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddClosedLoopPersistence(configuration);
        services.AddModuleDbContext<Platform.Data.PlatformDbContext>();
        ClosedLoop.Rules.Store.RuleSetStoreModule.AddRuleSetStore(services, configuration);
        ClosedLoop.Workflows.Store.WorkflowStoreModule.AddWorkflowStore(services, configuration);
        ClosedLoop.Feedback.FeedbackModule.AddFeedbackModule(services, configuration);
        ClosedLoop.Cases.CasesModule.AddCasesModule(services, configuration);
        ClosedLoop.Communication.CommunicationModule.AddCommunicationModule(services, configuration);
        ClosedLoop.Insights.InsightsModule.AddInsightsModule(services, configuration);
        using var provider = services.BuildServiceProvider();
        using var scope = provider.CreateScope();

        var registrations = scope.ServiceProvider.GetServices<ModuleDbContextRegistration>().ToList();
        Assert.Equal(MigrationTests<SqliteApiFactory>.Schemas.Order(), registrations.Select(r => r.Schema).Order());
        foreach (var registration in registrations)
        {
            var db = (DbContext)scope.ServiceProvider.GetRequiredService(registration.ContextType);
            Assert.Equal("Microsoft.EntityFrameworkCore.SqlServer", db.Database.ProviderName);
            Assert.NotEmpty(db.Database.GetMigrations());
            Assert.False(db.Database.HasPendingModelChanges(), $"{registration.Schema}: SQL Server model has changes no migration captures");

            var script = db.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);

            Assert.Contains($"CREATE TABLE [{registration.Schema}].[outbox_messages]", script);
            Assert.Contains($"[{registration.Schema}].[__migrations]", script);
        }
    }
}
