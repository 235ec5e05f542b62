using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
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

    /// <summary>
    /// The rows of <typeparamref name="T"/> whose string <paramref name="property"/> is one of <paramref name="keys"/>,
    /// locked until the transaction ends (PostgreSQL <c>FOR UPDATE</c>, in key order so that two lockers of overlapping
    /// sets queue rather than deadlock): a writer that read a row this way updates it without losing a race to another
    /// writer; it waits for that one instead. Null on the other databases — the caller reads as it would without a
    /// lock: SQLite has one writer at a time, and SQL Server (not testable here) keeps the optimistic read, the
    /// writer's version check and retry.
    /// </summary>
    public static IQueryable<T>? ForUpdate<T>(DbContext db, string property, IReadOnlyList<string> keys)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(db);
        if (db.Database.GetDbConnection() is not NpgsqlConnection)
        {
            return null;
        }

        var entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model.");
        var (schema, name) = (entity.GetSchema(), entity.GetTableName()!);
        var column = Quote(entity.FindProperty(property)?.GetColumnName(StoreObjectIdentifier.Table(name, schema))
            ?? throw new InvalidOperationException($"{typeof(T).Name} has no column for {property}."));
        var table = schema is null ? Quote(name) : $"{Quote(schema)}.{Quote(name)}";

        // The identifiers come from the model, quoted; the keys go in as one array parameter.
        return db.Set<T>().FromSqlRaw(string.Concat("SELECT * FROM ", table, " WHERE ", column, " = ANY({0}) ORDER BY ", column, " FOR UPDATE"), [keys.ToArray()]);

        static string Quote(string identifier) => $"\"{identifier.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
    }

    /// <summary>
    /// Runs <paramref name="read"/> (lookups by key, nothing written) with index probes preferred: on PostgreSQL in a
    /// transaction of its own that says so; elsewhere as it is (a SQLite transaction would take the write lock).
    /// </summary>
    public static async Task<T> ReadWithIndexProbesAsync<T>(DbContext db, Func<Task<T>> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(read);
        if (db.Database.GetDbConnection() is not NpgsqlConnection)
        {
            return await read();
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await PreferIndexProbesAsync(db, cancellationToken);
        var result = await read();
        await transaction.CommitAsync(cancellationToken);
        return result;
    }
}
