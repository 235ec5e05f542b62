using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ClosedLoop.Persistence;

/// <summary>
/// For a bulk unit of work whose statements all find their rows by key (a chunk's keys as one array, an update joined
/// to its rows by primary key): PostgreSQL's planner, trusting statistics that a fast-growing table has outrun, chose
/// to read whole tables for them — a sequential scan of the customers for a chunk's 1,000 customer keys and for the
/// update of the ones it changes (hash joins), a bitmap scan of every item of a source for the chunk's external ids —
/// so each chunk cost more the bigger the tables grew (seen with <c>auto_explain</c> during an import: 7–13 ms a
/// statement and growing, instead of 1–3).
/// </summary>
public static class KeyLookups
{
    /// <summary>
    /// Tells PostgreSQL, for the rest of the current transaction only (<c>SET LOCAL</c>), to find rows by probing
    /// indexes rather than scanning tables or hashing them. Other databases: nothing is done.
    /// </summary>
    public static async Task PreferIndexProbesAsync(DbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (db.Database.GetDbConnection() is not NpgsqlConnection)
        {
            return;
        }

        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("SET LOCAL lasts for a transaction; begin one first.");
        }

        await db.Database.ExecuteSqlRawAsync(
            "SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off; SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off",
            cancellationToken);
    }
}
