using System.Data.Common;
using Microsoft.Data.SqlClient;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;

namespace ClosedLoop.Persistence;

/// <summary>
/// Refreshes the planner statistics of a context's tables. A bulk write that grows a table many times over in a
/// minute (an import into a young database) outruns autovacuum's analyze; PostgreSQL then plans with the sizes it
/// saw before and, for instance, reads every row of a source to find a chunk's keys instead of probing for each.
/// </summary>
public static class DbStatistics
{
    /// <summary>
    /// Runs <c>ANALYZE</c> (PostgreSQL) or <c>UPDATE STATISTICS</c> (SQL Server) on the tables of <paramref name="entities"/>
    /// (name only the ones whose plans matter). SQLite keeps
    /// no statistics unless asked, and its plans here do not need them: nothing is done.
    /// </summary>
    /// <returns>False when the database refused (e.g. the role does not own the tables); the caller's work goes on.</returns>
    public static async Task<bool> RefreshAsync(DbContext db, IReadOnlyCollection<Type> entities, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(entities);
        var connection = db.Database.GetDbConnection();
        if (connection is not NpgsqlConnection and not SqlConnection)
        {
            return true;
        }

        var helper = db.GetService<Microsoft.EntityFrameworkCore.Storage.ISqlGenerationHelper>();
        var tables = entities
            .Select(t => db.Model.FindEntityType(t) ?? throw new ArgumentException($"{t.Name} is not an entity of {db.GetType().Name}.", nameof(entities)))
            .Where(e => e.GetTableName() is not null)
            .Select(e => helper.DelimitIdentifier(e.GetTableName()!, e.GetSchema()))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        if (tables.Count == 0)
        {
            return true;
        }

        // A small sample (3,000 rows instead of 30,000) is plenty to tell the planner how big the table has grown and
        // that its keys are distinct, and costs a tenth: a full ANALYZE of the items took ~1 s in the middle of an import.
        var sql = connection is NpgsqlConnection
            ? $"SET default_statistics_target = 10; ANALYZE {string.Join(", ", tables)}; RESET default_statistics_target"
            : string.Join(";\n", tables.Select(t => $"UPDATE STATISTICS {t} WITH SAMPLE 10 PERCENT"));
        try
        {
            await db.Database.ExecuteSqlRawAsync(sql, cancellationToken);
            return true;
        }
        catch (DbException ex) when (ex is PostgresException { SqlState: "42501" } or SqlException { Number: 1088 })
        {
            // Not the tables' owner (insufficient_privilege; SQL Server: no ALTER permission). Anything else is a bug.
            return false;
        }
    }
}
