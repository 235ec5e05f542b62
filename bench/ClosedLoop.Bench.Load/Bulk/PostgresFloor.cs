using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;

namespace ClosedLoop.Bench.Load.Bulk;

/// <summary>
/// The PostgreSQL floors, in a separate database: a prepared multi-row INSERT of 1,000 rows at a time (each its
/// own transaction), and one binary COPY of every row.
/// </summary>
internal static class PostgresFloor
{
    public const int RowsPerStatement = 1_000;

    private static readonly NpgsqlDbType[] Types =
    [
        NpgsqlDbType.Uuid, NpgsqlDbType.Varchar, NpgsqlDbType.Varchar, NpgsqlDbType.Varchar, NpgsqlDbType.TimestampTz, NpgsqlDbType.TimestampTz,
        NpgsqlDbType.Integer, NpgsqlDbType.Varchar, NpgsqlDbType.Varchar, NpgsqlDbType.Uuid, NpgsqlDbType.Text, NpgsqlDbType.Varchar, NpgsqlDbType.Uuid,
    ];

    public static async Task<TimeSpan> InsertAsync(string connectionString, ItemsTable table, IReadOnlyList<RawRow> rows, CancellationToken cancellationToken)
    {
        await using var connection = await OpenWithTableAsync(connectionString, table, cancellationToken);
        var clock = Stopwatch.StartNew();
        await using var full = Command(connection, table, RowsPerStatement);
        await full.PrepareAsync(cancellationToken);
        for (var offset = 0; offset < rows.Count; offset += RowsPerStatement)
        {
            var count = Math.Min(RowsPerStatement, rows.Count - offset);
            if (count == RowsPerStatement)
            {
                await ExecuteAsync(full, rows, offset, count, cancellationToken);
            }
            else
            {
                await using var partial = Command(connection, table, count);
                await ExecuteAsync(partial, rows, offset, count, cancellationToken);
            }
        }

        return clock.Elapsed;
    }

    public static async Task<TimeSpan> CopyAsync(string connectionString, ItemsTable table, IReadOnlyList<RawRow> rows, CancellationToken cancellationToken)
    {
        await using var connection = await OpenWithTableAsync(connectionString, table, cancellationToken);
        var clock = Stopwatch.StartNew();
        var columns = string.Join(", ", RawRow.Columns.Select(c => $"\"{c}\""));
        await using (var copy = await connection.BeginBinaryImportAsync($"COPY {table.Name} ({columns}) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var row in rows)
            {
                await copy.StartRowAsync(cancellationToken);
                var values = Values(row);
                for (var column = 0; column < values.Length; column++)
                {
                    if (values[column] is { } value)
                    {
                        await copy.WriteAsync(value, Types[column], cancellationToken);
                    }
                    else
                    {
                        await copy.WriteNullAsync(cancellationToken);
                    }
                }
            }

            await copy.CompleteAsync(cancellationToken);
        }

        return clock.Elapsed;
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, ItemsTable table, int rows)
    {
        var command = new NpgsqlCommand(MultiRowInsert.Sql(table, rows, (row, column) => $"${(row * RawRow.Columns.Count) + column + 1}"), connection);
        for (var i = 0; i < rows * Types.Length; i++)
        {
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = Types[i % Types.Length] });
        }

        return command;
    }

    private static async Task ExecuteAsync(NpgsqlCommand command, IReadOnlyList<RawRow> rows, int offset, int count, CancellationToken cancellationToken)
    {
        for (var i = 0; i < count; i++)
        {
            var values = Values(rows[offset + i]);
            for (var column = 0; column < values.Length; column++)
            {
                command.Parameters[(i * values.Length) + column].Value = values[column] ?? DBNull.Value;
            }
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static object?[] Values(RawRow row) =>
    [
        row.Id, row.Source, row.ExternalId, row.Channel, row.SubmittedAt, row.ReceivedAt,
        row.Score, row.Category, row.Comment, row.CustomerId, row.Attributes, row.ContentHash, row.ImportId,
    ];

    private static async Task<NpgsqlConnection> OpenWithTableAsync(string connectionString, ItemsTable table, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await table.CreateAsync(connection, cancellationToken);
        return connection;
    }
}
