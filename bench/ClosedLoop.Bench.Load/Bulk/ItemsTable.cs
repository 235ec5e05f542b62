using System.Data.Common;
using ClosedLoop.Bench.Hosting;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ClosedLoop.Bench.Load.Bulk;

/// <summary>
/// The DDL of the API's own <c>feedback.items</c> (<c>feedback_items</c> on SQLite): columns, types,
/// primary key and every index, read from a database the API has just migrated, so the floor's scratch
/// table is the same table by construction and follows future migrations.
/// </summary>
internal sealed class ItemsTable
{
    private ItemsTable(Provider provider, IReadOnlyList<string> statements)
    {
        Provider = provider;
        Statements = statements;
    }

    public Provider Provider { get; }

    /// <summary>Drops and re-creates the table with its keys and indexes.</summary>
    public IReadOnlyList<string> Statements { get; }

    public string Name => Provider == Provider.Sqlite ? "\"feedback_items\"" : "feedback.items";

    public static async Task<ItemsTable> CaptureAsync(Provider provider, string apiConnectionString, CancellationToken cancellationToken)
    {
        if (provider == Provider.Sqlite)
        {
            await using var sqlite = new SqliteConnection(apiConnectionString);
            await sqlite.OpenAsync(cancellationToken);
            var ddl = await ColumnAsync(sqlite,
                "SELECT sql FROM sqlite_master WHERE tbl_name = 'feedback_items' AND sql IS NOT NULL ORDER BY type = 'table' DESC, name", cancellationToken);
            return Checked(provider, ["DROP TABLE IF EXISTS \"feedback_items\"", .. ddl]);
        }

        await using var pg = new NpgsqlConnection(apiConnectionString);
        await pg.OpenAsync(cancellationToken);
        var columns = await ColumnAsync(pg, """
            SELECT format('%I %s%s', attname, format_type(atttypid, atttypmod), CASE WHEN attnotnull THEN ' NOT NULL' ELSE '' END)
            FROM pg_attribute WHERE attrelid = 'feedback.items'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum
            """, cancellationToken);
        var constraints = await ColumnAsync(pg, """
            SELECT format('ALTER TABLE feedback.items ADD CONSTRAINT %I %s', conname, pg_get_constraintdef(oid))
            FROM pg_constraint WHERE conrelid = 'feedback.items'::regclass ORDER BY conname
            """, cancellationToken);
        var indexes = await ColumnAsync(pg, """
            SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i
            WHERE i.indrelid = 'feedback.items'::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            ORDER BY i.indexrelid
            """, cancellationToken);
        return Checked(provider,
        [
            "CREATE SCHEMA IF NOT EXISTS feedback",
            "DROP TABLE IF EXISTS feedback.items",
            $"CREATE TABLE feedback.items ({string.Join(", ", columns)})",
            .. constraints,
            .. indexes,
        ]);
    }

    /// <summary>Creates the empty table in <paramref name="connection"/>'s database.</summary>
    public async Task CreateAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        foreach (var statement in Statements)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = statement;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static ItemsTable Checked(Provider provider, IReadOnlyList<string> statements) =>
        statements.Any(s => s.Contains("CREATE TABLE", StringComparison.OrdinalIgnoreCase))
            ? new ItemsTable(provider, statements)
            : throw new BenchException("The API's database has no feedback items table; did its migrations run?");

    private static async Task<List<string>> ColumnAsync(DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var values = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }
}
