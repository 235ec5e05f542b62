using System.Data.Common;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace ClosedLoop.Persistence;

/// <summary>Recognises the failures that mean "another writer got there first", on every provider.</summary>
public static class DbErrors
{
    /// <summary>
    /// A unique key taken, a concurrency token changed, or a deadlock with a concurrent transaction:
    /// staging the work again against what that transaction committed will succeed or find a duplicate.
    /// </summary>
    public static bool IsWriteConflict(Exception exception) => exception switch
    {
        DbUpdateException => true,
        DbException { SqlState: "23505" or "40P01" or "40001" } => true, // PostgreSQL unique_violation, deadlock_detected, serialization_failure
        SqliteException { SqliteErrorCode: 19, SqliteExtendedErrorCode: 2067 or 1555 } => true, // SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY
        SqlException { Number: 2601 or 2627 or 1205 } => true, // SQL Server duplicate key, deadlock victim
        _ => false,
    };
}
