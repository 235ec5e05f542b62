using Microsoft.Extensions.Configuration;

namespace ClosedLoop.Persistence;

/// <summary>The database engines ClosedLoop runs on.</summary>
public enum DatabaseProvider
{
    Sqlite,
    PostgreSql,
    SqlServer,
}

/// <summary>Section <c>Database</c>; the connection string is <c>ConnectionStrings:closedloop</c>.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";
    public const string ConnectionStringName = "closedloop";
    public const string DefaultSqliteConnectionString = "Data Source=.closedloop/closedloop.db";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Apply pending migrations when the host starts. Turn off where a deploy step runs <c>migrate</c>.</summary>
    public bool MigrateOnStartup { get; set; } = true;

    public int CommandTimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// SQLite only: the page cache of each connection, in MiB (SQLite's own default is 2). Lists that read past many
    /// rows, such as an agent's cases of their teams, find their pages here instead of reading the file again. Costs
    /// up to this much memory per pooled connection, filled only as pages are read.
    /// </summary>
    public int SqliteCacheMiB { get; set; } = 16;

    /// <summary>Resolved at start-up from <c>ConnectionStrings:closedloop</c> (SQLite has a default).</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>
    /// The settings as the host resolves them, read now: for a registration that must choose at composition time
    /// (Quartz's job store is composed before the container exists). Validation stays with the options at start-up.
    /// </summary>
    public static DatabaseOptions From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection(Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        options.ConnectionString = ResolveConnectionString(configuration, options.Provider);
        return options;
    }

    internal static string ResolveConnectionString(IConfiguration configuration, DatabaseProvider provider)
    {
        var configured = configuration.GetConnectionString(ConnectionStringName);
        return string.IsNullOrWhiteSpace(configured)
            ? provider == DatabaseProvider.Sqlite ? DefaultSqliteConnectionString : ""
            : configured;
    }
}
