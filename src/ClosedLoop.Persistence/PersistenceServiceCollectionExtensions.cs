using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ClosedLoop.Persistence;

public static class PersistenceServiceCollectionExtensions
{
    /// <summary>Binds <c>Database</c> and <c>ConnectionStrings:closedloop</c>, failing fast on nonsense.</summary>
    public static IServiceCollection AddClosedLoopPersistence(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DatabaseOptions>()
            .Bind(configuration.GetSection(DatabaseOptions.Section))
            .PostConfigure(o => o.ConnectionString = DatabaseOptions.ResolveConnectionString(configuration, o.Provider))
            .Validate(o => Enum.IsDefined(o.Provider), "Database:Provider must be Sqlite, PostgreSql or SqlServer.")
            .Validate(o => o.ConnectionString.Length > 0, "ConnectionStrings:closedloop is required for PostgreSql and SqlServer.")
            .Validate(o => o.CommandTimeoutSeconds is > 0 and <= 3600, "Database:CommandTimeoutSeconds must be between 1 and 3600.")
            .Validate(o => o.SqliteCacheMiB is > 0 and <= 4096, "Database:SqliteCacheMiB must be between 1 and 4096.")
            .ValidateOnStart();

        services.AddSingleton<DatabaseMigrator>();
        return services;
    }

    /// <summary>
    /// Registers a module's DbContext on the configured provider, in the module's schema, with every
    /// <see cref="IInterceptor"/> the host registered as a singleton service (the outbox's commit signal, for one).
    /// </summary>
    /// <remarks>
    /// The options are built once, not for every context: they depend only on the settings, and building them per
    /// request (parsing the connection string, creating the SQLite directory, and EF matching the result to its
    /// internal service provider) was a measurable part of every request (bench/README.md, Cases list). Contexts are
    /// pooled for the same reason: setting up a fresh one was 4 % of a case list's CPU and 8 % of a single post's.
    /// A pooled context must keep no state of its own across uses beyond what EF resets; interceptors are therefore
    /// one per process and keep theirs on the context.
    /// </remarks>
    public static IServiceCollection AddModuleDbContext<TContext>(this IServiceCollection services)
        where TContext : DbContext, IModuleDbContext
    {
        services.AddDbContextPool<TContext>((sp, options) =>
            Configure(options, sp.GetRequiredService<IOptions<DatabaseOptions>>().Value, TContext.Schema)
                .AddInterceptors(sp.GetServices<IInterceptor>()));
        services.AddSingleton(new ModuleDbContextRegistration(typeof(TContext), TContext.Schema));
        return services;
    }

    /// <summary>Configures options for one module context; also used by tests and design-time tooling.</summary>
    /// <remarks>
    /// A list of values in a query (<c>ids.Contains(x.Id)</c>) goes to the database as ONE array parameter
    /// (<c>= ANY(@ids)</c>, <c>json_each(@ids)</c>, <c>OPENJSON(@ids)</c>), not EF 10's default of one parameter per value:
    /// the statement's text then does not depend on the values, so EF builds its SQL once (compiled queries need
    /// that), and the database parses and plans one short statement instead of an IN list of up to a dispatch batch
    /// or an import chunk of values (decision 0026).
    /// </remarks>
    public static DbContextOptionsBuilder Configure(DbContextOptionsBuilder options, DatabaseOptions database, string schema)
    {
        var history = ModuleNaming.HistoryTable(database.Provider, schema);
        switch (database.Provider)
        {
            case DatabaseProvider.Sqlite:
                EnsureSqliteDirectory(database.ConnectionString);
                options.UseSqlite(database.ConnectionString, o => o
                    .UseParameterizedCollectionMode(ParameterTranslationMode.Parameter)
                    .MigrationsHistoryTable(history)
                    .CommandTimeout(database.CommandTimeoutSeconds));
                options.AddInterceptors(
                    SqliteWriteGate.For(database.ConnectionString, TimeSpan.FromSeconds(database.CommandTimeoutSeconds)),
                    new SqliteConnectionSettings(TimeSpan.FromSeconds(database.CommandTimeoutSeconds), database.SqliteCacheMiB));
                break;
            case DatabaseProvider.PostgreSql:
                options.UseNpgsql(database.ConnectionString, o => o
                    .UseParameterizedCollectionMode(ParameterTranslationMode.Parameter)
                    .MigrationsHistoryTable(history, schema)
                    .CommandTimeout(database.CommandTimeoutSeconds));
                break;
            case DatabaseProvider.SqlServer:
                options.UseSqlServer(database.ConnectionString, o => o
                    .UseParameterizedCollectionMode(ParameterTranslationMode.Parameter)
                    .MigrationsHistoryTable(history, schema)
                    .CommandTimeout(database.CommandTimeoutSeconds));
                break;
            default:
                throw new NotSupportedException($"Database provider '{database.Provider}' is not supported.");
        }

        options.ReplaceService<IMigrationsAssembly, ProviderMigrationsAssembly>();
        return options;
    }

    private static void EnsureSqliteDirectory(string connectionString)
    {
        var dataSource = new SqliteConnectionStringBuilder(connectionString).DataSource;
        if (string.IsNullOrEmpty(dataSource) || dataSource == ":memory:" || dataSource.StartsWith("file:", StringComparison.Ordinal))
        {
            return;
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(dataSource));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
    }
}

/// <summary>A module context the migrator and the readiness check know about.</summary>
public sealed record ModuleDbContextRegistration(Type ContextType, string Schema);
