using System.Data.Common;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Persistence;

/// <summary>Recognises the failures that mean "another writer got there first", on every provider.</summary>
public static class DbErrors
{
    /// <summary>
    /// A unique key taken or a concurrency token changed by a concurrent transaction: staging the work
    /// again against what that transaction committed will succeed or find a duplicate.
    /// </summary>
    public static bool IsWriteConflict(Exception exception) => exception switch
    {
        DbUpdateException => true,
        DbException { SqlState: "23505" } => true, // PostgreSQL unique_violation
        SqliteException { SqliteErrorCode: 19, SqliteExtendedErrorCode: 2067 or 1555 } => true, // SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY
        SqlException { Number: 2601 or 2627 } => true, // SQL Server duplicate key
        _ => false,
    };
}
