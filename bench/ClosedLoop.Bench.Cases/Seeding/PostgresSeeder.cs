using System.Diagnostics;
using ClosedLoop.Bench.Hosting;
using Npgsql;
using NpgsqlTypes;

namespace ClosedLoop.Bench.Cases.Seeding;

/// <summary>
/// Bulk load as one would into a live table: the secondary indexes of <c>cases.cases</c> and <c>cases.case_topics</c>
/// are dropped (their definitions kept), rows go in by binary COPY with foreign-key triggers off for the session
/// (the generator keeps every topic's case), the indexes are rebuilt exactly as they were, then VACUUM ANALYZE,
/// which is where autovacuum would have brought a table of this size.
/// </summary>
internal static class PostgresSeeder
{
    public static async Task<SeedResult> SeedAsync(string connectionString, CaseFaker faker, int count, Action<string> progress, CancellationToken cancellationToken)
    {
        var schema = new CasesSchema(Provider.PostgreSql);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        var leftNull = await schema.CheckColumnsAsync(connection, cancellationToken);
        var clock = Stopwatch.StartNew();
        await ExecuteAsync(connection, "SET session_replication_role = replica; SET maintenance_work_mem = '512MB'", cancellationToken);
        var indexes = await SecondaryIndexesAsync(connection, cancellationToken);
        foreach (var (name, _) in indexes)
        {
            await ExecuteAsync(connection, $"DROP INDEX cases.\"{name}\"", cancellationToken);
        }

        var topics = new List<(Guid CaseId, string Topic)>(count * 2);
        var columns = CaseColumn.All;
        await using (var copy = await connection.BeginBinaryImportAsync($"COPY {schema.Cases} ({schema.ColumnList}) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            for (var i = 0; i < count; i++)
            {
                var row = faker.Next();
                await copy.StartRowAsync(cancellationToken);
                foreach (var column in columns)
                {
                    if (column.Value(row) is { } value)
                    {
                        await copy.WriteAsync(value, column.PostgresType, cancellationToken);
                    }
                    else
                    {
                        await copy.WriteNullAsync(cancellationToken);
                    }
                }

                topics.AddRange(row.Topics.Select(t => (row.Id, t)));
                if ((i + 1) % 200_000 == 0)
                {
                    progress($"{i + 1:N0} cases copied ({clock.Elapsed.TotalSeconds:N0} s)");
                }
            }

            await copy.CompleteAsync(cancellationToken);
        }

        await using (var copy = await connection.BeginBinaryImportAsync($"COPY {schema.Topics} (\"CaseId\", \"Topic\") FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var (caseId, topic) in topics)
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(caseId, NpgsqlDbType.Uuid, cancellationToken);
                await copy.WriteAsync(topic, NpgsqlDbType.Varchar, cancellationToken);
            }

            await copy.CompleteAsync(cancellationToken);
        }

        var loaded = clock.Elapsed;
        foreach (var (_, definition) in indexes)
        {
            await ExecuteAsync(connection, definition, cancellationToken);
        }

        var indexed = clock.Elapsed;
        await ExecuteAsync(connection, $"VACUUM (ANALYZE) {schema.Cases}", cancellationToken);
        await ExecuteAsync(connection, $"VACUUM (ANALYZE) {schema.Topics}", cancellationToken);
        return new SeedResult(count, topics.Count, loaded, indexed - loaded, clock.Elapsed - indexed, indexes.Count, leftNull);
    }

    /// <summary>Indexes not backing a constraint (primary keys stay), with the statement that re-creates each.</summary>
    private static async Task<List<(string Name, string Definition)>> SecondaryIndexesAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT c.relname::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
            WHERE i.indrelid IN ('cases.cases'::regclass, 'cases.case_topics'::regclass)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
            ORDER BY c.relname
            """, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var indexes = new List<(string, string)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            indexes.Add((reader.GetString(0), reader.GetString(1)));
        }

        return indexes;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

/// <summary>What the seeding did and how long each phase took (reported, never measured against anything).</summary>
internal sealed record SeedResult(int Cases, int Topics, TimeSpan Load, TimeSpan Indexes, TimeSpan Analyze, int IndexCount, IReadOnlyList<string> LeftNull)
{
    public TimeSpan Total => Load + Indexes + Analyze;
}
