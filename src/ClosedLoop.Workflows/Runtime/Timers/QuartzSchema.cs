using ClosedLoop.Persistence;
using Microsoft.EntityFrameworkCore.Migrations;

namespace ClosedLoop.Workflows.Runtime.Timers;

/// <summary>
/// Where the timers' Quartz tables live, and the DDL the <c>QuartzScheduler</c> migrations apply: schema <c>quartz</c>
/// (tables <c>quartz.qrtz_*</c>) on PostgreSQL and SQL Server, prefix <c>quartz_qrtz_</c> on SQLite.
/// </summary>
/// <remarks>
/// The DDL is Quartz 4.7.3's own (the scripts <c>ProvisionSchema()</c> runs, embedded in Quartz as
/// <c>Quartz.Impl.AdoJobStore.Schema.create_*.sql</c>), copied into this assembly rather than read from Quartz when
/// the migration runs: a migration must do tomorrow what it did when it shipped, and a later Quartz may ship other
/// tables (which a later migration then adds, with Quartz's <c>database/migrations</c> scripts). The scheduler keeps
/// Quartz's schema validation on, so a database the migration has not reached refuses to start the scheduler.
/// </remarks>
internal static class QuartzSchema
{
    public const string Schema = "quartz";

    private const string Separator = "--;;";

    // Children before parents, for Down.
    private static readonly string[] Tables =
    [
        "simple_triggers", "cron_triggers", "simprop_triggers", "blob_triggers", "triggers", "job_details",
        "calendars", "paused_trigger_grps", "paused_job_grps", "fired_triggers", "scheduler_state", "locks",
        "execution_history", "misfire_history", "job_status",
    ];

    /// <summary>Quartz's table prefix, which carries the schema where the database has schemas.</summary>
    public static string TablePrefix(DatabaseProvider provider) =>
        provider == DatabaseProvider.Sqlite ? $"{Schema}_qrtz_" : $"{Schema}.qrtz_";

    public static void Create(MigrationBuilder migrationBuilder, DatabaseProvider provider)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        switch (provider)
        {
            case DatabaseProvider.PostgreSql:
                migrationBuilder.Sql($"CREATE SCHEMA IF NOT EXISTS {Schema};");
                break;
            case DatabaseProvider.SqlServer:
                migrationBuilder.Sql($"IF SCHEMA_ID(N'{Schema}') IS NULL EXEC(N'CREATE SCHEMA [{Schema}]');");
                break;
        }

        foreach (var statement in Statements(provider))
        {
            migrationBuilder.Sql(statement);
        }
    }

    public static void Drop(MigrationBuilder migrationBuilder, DatabaseProvider provider)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        var prefix = TablePrefix(provider);
        foreach (var table in Tables)
        {
            migrationBuilder.Sql($"DROP TABLE IF EXISTS {prefix}{table};");
        }

        if (provider != DatabaseProvider.Sqlite)
        {
            // Not CASCADE: anything else someone put in the schema stops the drop rather than going with it.
            migrationBuilder.Sql($"DROP SCHEMA IF EXISTS {Schema};");
        }
    }

    /// <summary>The script's statements with the prefix substituted ({0} the prefix, {1} the prefix without its schema).</summary>
    internal static IReadOnlyList<string> Statements(DatabaseProvider provider)
    {
        var prefix = TablePrefix(provider);
        var bare = prefix[(prefix.IndexOf('.', StringComparison.Ordinal) + 1)..];
        var statements = new List<string>();
        var current = new List<string>();
        foreach (var line in Script(provider).Split('\n').Select(l => l.TrimEnd('\r')).Append(Separator))
        {
            if (line != Separator)
            {
                current.Add(line);
                continue;
            }

            // A piece of comments only (the header) is no statement.
            if (current.Any(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith("--", StringComparison.Ordinal)))
            {
                statements.Add(string.Join('\n', current).Trim().Replace("{0}", prefix, StringComparison.Ordinal).Replace("{1}", bare, StringComparison.Ordinal));
            }

            current.Clear();
        }

        return statements;
    }

    private static string Script(DatabaseProvider provider)
    {
        var dialect = provider switch
        {
            DatabaseProvider.Sqlite => "sqlite",
            DatabaseProvider.PostgreSql => "postgres",
            DatabaseProvider.SqlServer => "sqlServer",
            _ => throw new NotSupportedException($"Database provider '{provider}' is not supported."),
        };
        var name = $"{typeof(QuartzSchema).Namespace}.Schema.quartz-4.7.3.{dialect}.sql";
        using var stream = typeof(QuartzSchema).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The embedded Quartz DDL {name} is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
