using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace ClosedLoop.Persistence;

/// <summary>
/// Writes many new rows of one entity type inside the context's current transaction, bypassing the change
/// tracker: binary COPY on PostgreSQL, one prepared INSERT reused per row on SQLite, and EF's own batched
/// <c>SaveChanges</c> elsewhere (SQL Server). Column names, types and value converters come from the EF
/// model, so the rows are exactly what <c>SaveChanges</c> would have written.
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

        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("BulkInsertAsync runs inside the caller's transaction; begin one first.");
        var table = Table.Of(db.Model, typeof(T));
        switch (transaction.Connection)
        {
            case NpgsqlConnection postgres:
                await CopyAsync(postgres, table, rows, cancellationToken);
                break;
            case SqliteConnection sqlite:
                await InsertEachAsync(sqlite, transaction, table, rows, cancellationToken);
                break;
            default:
                db.AddRange(rows);
                await db.SaveChangesAsync(cancellationToken);
                foreach (var row in rows)
                {
                    db.Entry(row).State = EntityState.Detached;
                }

                break;
        }
    }

    private static async Task CopyAsync<T>(NpgsqlConnection connection, Table table, IReadOnlyCollection<T> rows, CancellationToken cancellationToken)
        where T : class
    {
        var columns = string.Join(", ", table.Columns.Select(c => Quote(c.Name)));
        var target = table.Schema is null ? Quote(table.Name) : $"{Quote(table.Schema)}.{Quote(table.Name)}";
        await using var importer = await connection.BeginBinaryImportAsync($"COPY {target} ({columns}) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var row in rows)
        {
            await importer.StartRowAsync(cancellationToken);
            foreach (var column in table.Columns)
            {
                if (column.Read(row) is { } value)
                {
                    await importer.WriteAsync(value, column.PostgresType, cancellationToken);
                }
                else
                {
                    await importer.WriteNullAsync(cancellationToken);
                }
            }
        }

        await importer.CompleteAsync(cancellationToken);
    }

    private static async Task InsertEachAsync<T>(SqliteConnection connection, DbTransaction transaction, Table table, IReadOnlyCollection<T> rows, CancellationToken cancellationToken)
        where T : class
    {
        await using var command = connection.CreateCommand();
        command.Transaction = (SqliteTransaction)transaction;
        command.CommandText = $"INSERT INTO {Quote(table.Name)} ({string.Join(", ", table.Columns.Select(c => Quote(c.Name)))}) " +
            $"VALUES ({string.Join(", ", table.Columns.Select((_, i) => "$p" + i))})";
        var parameters = table.Columns.Select((_, i) => command.Parameters.Add(new SqliteParameter("$p" + i, null))).ToArray();
        command.Prepare();
        foreach (var row in rows)
        {
            for (var i = 0; i < parameters.Length; i++)
            {
                parameters[i].Value = table.Columns[i].Read(row) ?? DBNull.Value;
            }

            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>An entity type's table as the model maps it; built once per model and type.</summary>
    private sealed record Table(string Name, string? Schema, IReadOnlyList<Column> Columns)
    {
        private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IModel, System.Collections.Concurrent.ConcurrentDictionary<Type, Table>> Cache = new();

        public static Table Of(IModel model, Type type) =>
            Cache.GetOrCreateValue(model).GetOrAdd(type, t => Build(model, t));

        private static Table Build(IModel model, Type type)
        {
            var entity = model.FindEntityType(type) ?? throw new InvalidOperationException($"{type.Name} is not mapped in this context.");
            var name = entity.GetTableName() ?? throw new InvalidOperationException($"{type.Name} is not mapped to a table.");
            var store = StoreObjectIdentifier.Table(name, entity.GetSchema());
            var columns = entity.GetProperties()
                .Select(p => new Column(
                    p.GetColumnName(store) ?? throw new InvalidOperationException($"{type.Name}.{p.Name} has no column."),
                    PostgresTypeOf(p.GetColumnType(store)),
                    p.GetGetter(),
                    p.GetTypeMapping().Converter))
                .ToList();
            return new Table(name, entity.GetSchema(), columns);
        }

        /// <summary>COPY wants the type's name without its facets: <c>character varying</c>, not <c>character varying(100)</c>.</summary>
        private static string PostgresTypeOf(string columnType)
        {
            var facets = columnType.IndexOf('(', StringComparison.Ordinal);
            return facets < 0 ? columnType : columnType[..facets].TrimEnd() + columnType[(columnType.IndexOf(')', facets) + 1)..];
        }
    }

    private sealed record Column(string Name, string PostgresType, IClrPropertyGetter Getter, Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter? Converter)
    {
        public object? Read(object row)
        {
            var value = Getter.GetClrValueUsingContainingEntity(row);
            return value is null || Converter is null ? value : Converter.ConvertToProvider(value);
        }
    }
}
