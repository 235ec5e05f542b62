using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace ClosedLoop.Persistence;

/// <summary>
/// Writes many rows of one entity type inside the context's current transaction, bypassing the change
/// tracker: binary COPY on PostgreSQL, one prepared statement reused per row on SQLite, and EF's own
/// batched <c>SaveChanges</c> elsewhere (SQL Server). Column names, types and value converters come from
/// the EF model, so the rows are exactly what <c>SaveChanges</c> would have written.
/// </summary>
public static class BulkInsert
{
    /// <summary>
    /// Inserts <paramref name="rows"/> now. Requires an open transaction (the caller's unit of work); the
    /// rows are not tracked afterwards. Keys must be set by the caller (no store-generated values).
    /// </summary>
    public static async Task BulkInsertAsync<T>(this DbContext db, IReadOnlyCollection<T> rows, CancellationToken cancellationToken)
        where T : class
    {
        if (rows.Count == 0)
        {
            return;
        }

        var transaction = CurrentTransaction(db);
        var table = BulkTable.Of(db.Model, typeof(T));
        switch (transaction.Connection)
        {
            case NpgsqlConnection postgres:
                await CopyAsync(postgres, table.QualifiedName, table.Columns, rows, cancellationToken);
                break;
            case SqliteConnection sqlite:
                await ExecuteEachAsync(sqlite, transaction, table.InsertSql(), rows, row => table.Columns.Select(c => (c.Mapping, c.ReadModel(row))), cancellationToken);
                break;
            default:
                db.AddRange(rows);
                await db.SaveChangesAsync(cancellationToken);
                Detach(db, rows);
                break;
        }
    }

    /// <summary>
    /// Updates every column of <paramref name="rows"/> (matched by primary key) now, inside the current
    /// transaction. <paramref name="originalToken"/> gives each row's concurrency token as it was read; when
    /// another transaction changed a row since, nothing is kept and <see cref="DbUpdateConcurrencyException"/>
    /// is thrown, as <c>SaveChanges</c> would.
    /// </summary>
    public static async Task BulkUpdateAsync<T>(this DbContext db, IReadOnlyList<T> rows, Func<T, object> originalToken, CancellationToken cancellationToken)
        where T : class
    {
        if (rows.Count == 0)
        {
            return;
        }

        var transaction = CurrentTransaction(db);
        var table = BulkTable.Of(db.Model, typeof(T));
        var token = table.ConcurrencyToken ?? throw new InvalidOperationException($"{typeof(T).Name} has no concurrency token.");
        int updated;
        switch (transaction.Connection)
        {
            case NpgsqlConnection postgres:
                updated = await UpdateFromArraysAsync(postgres, table, token, rows, originalToken, cancellationToken);
                break;
            case SqliteConnection sqlite:
                updated = await ExecuteEachAsync(
                    sqlite, transaction, table.UpdateSql(), rows,
                    row => table.Columns.Select(c => (c.Mapping, c.ReadModel(row))).Append((token.Mapping, originalToken(row))), cancellationToken);
                break;
            default:
                foreach (var row in rows)
                {
                    var entry = db.Attach(row);
                    entry.State = EntityState.Modified;
                    entry.Property(token.Property).OriginalValue = originalToken(row);
                }

                await db.SaveChangesAsync(cancellationToken);
                Detach(db, rows);
                return;
        }

        if (updated != rows.Count)
        {
            throw new DbUpdateConcurrencyException($"{rows.Count - updated} of {rows.Count} {table.Name} rows were changed by another transaction since they were read.");
        }
    }

    private static DbTransaction CurrentTransaction(DbContext db) =>
        db.Database.CurrentTransaction?.GetDbTransaction()
        ?? throw new InvalidOperationException("Bulk writes run inside the caller's transaction; begin one first.");

    private static void Detach<T>(DbContext db, IEnumerable<T> rows)
        where T : class
    {
        foreach (var row in rows)
        {
            db.Entry(row).State = EntityState.Detached;
        }
    }

    private static async Task CopyAsync<T>(
        NpgsqlConnection connection, string target, IReadOnlyList<BulkColumn> columns, IEnumerable<T> rows, CancellationToken cancellationToken)
        where T : class
    {
        var names = columns.Select(c => BulkTable.Quote(c.Name));
        await using var importer = await connection.BeginBinaryImportAsync($"COPY {target} ({string.Join(", ", names)}) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var row in rows)
        {
            await importer.StartRowAsync(cancellationToken);
            foreach (var column in columns)
            {
                await column.CopyAsync(importer, column.Read(row), cancellationToken);
            }
        }

        await importer.CompleteAsync(cancellationToken);
    }

    /// <summary>
    /// One <c>UPDATE … FROM unnest(…)</c>: every column's values as one array parameter (plus the original tokens), so
    /// the whole update is one round trip with no staging table (a temporary table cost a CREATE, a COPY and a
    /// TRUNCATE, four round trips per chunk).
    /// </summary>
    private static async Task<int> UpdateFromArraysAsync<T>(
        NpgsqlConnection connection, BulkTable table, BulkColumn token, IReadOnlyList<T> rows, Func<T, object> originalToken, CancellationToken cancellationToken)
        where T : class
    {
        await using var update = connection.CreateCommand();
        var names = new List<string>(table.Columns.Count + 1);
        foreach (var column in table.Columns)
        {
            update.Parameters.Add(column.ArrayParameter(rows.Select(column.Read)));
            names.Add(BulkTable.Quote(column.Name));
        }

        update.Parameters.Add(token.ArrayParameter(rows.Select(r => token.ToProvider(originalToken(r)))));
        names.Add(BulkTable.Quote(BulkTable.OriginalTokenColumn));
        var arrays = string.Join(", ", Enumerable.Range(1, names.Count).Select(n => "$" + n));
        var keys = table.Columns.Where(c => c.IsKey).Select(c => $"t.{BulkTable.Quote(c.Name)} = s.{BulkTable.Quote(c.Name)}");
        var assignments = table.Columns.Where(c => !c.IsKey).Select(c => $"{BulkTable.Quote(c.Name)} = s.{BulkTable.Quote(c.Name)}");
        update.CommandText = $"UPDATE {table.QualifiedName} AS t SET {string.Join(", ", assignments)} " +
            $"FROM unnest({arrays}) AS s({string.Join(", ", names)}) " +
            $"WHERE {string.Join(" AND ", keys)} AND t.{BulkTable.Quote(token.Name)} = s.{BulkTable.Quote(BulkTable.OriginalTokenColumn)}";
        return await update.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// One statement, prepared once, executed per row. Parameters come from EF's type mappings, so values
    /// are stored exactly as EF stores them (GUIDs as text, decimals as text, our UTC ticks).
    /// </summary>
    private static async Task<int> ExecuteEachAsync<T>(
        SqliteConnection connection, DbTransaction transaction, string sql, IEnumerable<T> rows,
        Func<T, IEnumerable<(RelationalTypeMapping Mapping, object? Value)>> values, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = (SqliteTransaction)transaction;
        command.CommandText = sql;
        var affected = 0;
        foreach (var row in rows)
        {
            command.Parameters.Clear();
            var i = 0;
            foreach (var (mapping, value) in values(row))
            {
                command.Parameters.Add(mapping.CreateParameter(command, "$p" + i++, value, nullable: true));
            }

            affected += await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return affected;
    }
}
