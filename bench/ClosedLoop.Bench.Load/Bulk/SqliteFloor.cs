using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace ClosedLoop.Bench.Load.Bulk;

/// <summary>
/// The SQLite floor: the same rows into the same table in a separate file, in the API's journal mode (WAL),
/// as prepared multi-row INSERTs of <see cref="RowsPerStatement"/> rows, committed every 1,000 rows.
/// </summary>
internal static class SqliteFloor
{
    public const int RowsPerTransaction = 1_000;
    private const int RowsPerStatement = 100;

    public static async Task<TimeSpan> InsertAsync(string connectionString, ItemsTable table, IReadOnlyList<RawRow> rows, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode=WAL";
            await wal.ExecuteNonQueryAsync(cancellationToken);
        }

        await table.CreateAsync(connection, cancellationToken);
        var clock = Stopwatch.StartNew();
        await using var full = Command(connection, table, RowsPerStatement);
        for (var start = 0; start < rows.Count; start += RowsPerTransaction)
        {
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            var end = Math.Min(start + RowsPerTransaction, rows.Count);
            for (var offset = start; offset < end; offset += RowsPerStatement)
            {
                var count = Math.Min(RowsPerStatement, end - offset);
                if (count == RowsPerStatement)
                {
                    await ExecuteAsync(full, transaction, rows, offset, count, cancellationToken);
                }
                else
                {
                    await using var partial = Command(connection, table, count);
                    await ExecuteAsync(partial, transaction, rows, offset, count, cancellationToken);
                }
            }

            await transaction.CommitAsync(cancellationToken);
        }

        return clock.Elapsed;
    }

    private static async Task ExecuteAsync(SqliteCommand command, SqliteTransaction transaction, IReadOnlyList<RawRow> rows, int offset, int count, CancellationToken cancellationToken)
    {
        command.Transaction = transaction;
        var parameters = command.Parameters;
        var columns = RawRow.Columns.Count;
        for (var i = 0; i < count; i++)
        {
            var row = rows[offset + i];
            var p = i * columns;
            parameters[p].Value = Text(row.Id);
            parameters[p + 1].Value = row.Source;
            parameters[p + 2].Value = row.ExternalId;
            parameters[p + 3].Value = row.Channel;
            parameters[p + 4].Value = row.SubmittedAt.UtcTicks;
            parameters[p + 5].Value = row.ReceivedAt.UtcTicks;
            parameters[p + 6].Value = row.Score is { } score ? score : DBNull.Value;
            parameters[p + 7].Value = row.Category;
            parameters[p + 8].Value = (object?)row.Comment ?? DBNull.Value;
            parameters[p + 9].Value = Text(row.CustomerId);
            parameters[p + 10].Value = row.Attributes;
            parameters[p + 11].Value = row.ContentHash;
            parameters[p + 12].Value = Text(row.ImportId);
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Guids as EF Core stores them on SQLite: upper-case text.</summary>
    private static string Text(Guid id) => id.ToString().ToUpperInvariant();

    private static SqliteCommand Command(SqliteConnection connection, ItemsTable table, int rows)
    {
        var command = connection.CreateCommand();
        command.CommandText = MultiRowInsert.Sql(table, rows, (row, column) => $"$p{row}_{column}");
        for (var row = 0; row < rows; row++)
        {
            for (var column = 0; column < RawRow.Columns.Count; column++)
            {
                command.Parameters.Add(new SqliteParameter($"$p{row}_{column}", null));
            }
        }

        return command;
    }
}
