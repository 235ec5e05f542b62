using System.Diagnostics;
using ClosedLoop.Bench.Hosting;
using Microsoft.Data.Sqlite;

namespace ClosedLoop.Bench.Cases.Seeding;

/// <summary>
/// Bulk load into the API's SQLite file: secondary indexes of the cases and topics tables dropped (their SQL kept),
/// prepared single-row INSERTs committed every 50,000 cases on a connection with a large page cache and
/// <c>synchronous=OFF</c> (seeding only; the API's own connections keep FULL), the indexes re-created from the same
/// SQL, then ANALYZE and <c>PRAGMA optimize</c>. Values are stored as the API stores them: ids as upper-case text,
/// times as UTC ticks.
/// </summary>
internal static class SqliteSeeder
{
    private const int RowsPerTransaction = 50_000;

    public static async Task<SeedResult> SeedAsync(string connectionString, CaseFaker faker, int count, Action<string> progress, CancellationToken cancellationToken)
    {
        var schema = new CasesSchema(Provider.Sqlite);
        // Not pooled: its settings for loading (no syncs, a 512 MiB cache) must not stay with a connection that the
        // hand-written SQL is later given from the pool.
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder(connectionString) { Pooling = false }.ToString());
        await connection.OpenAsync(cancellationToken);
        var leftNull = await schema.CheckColumnsAsync(connection, cancellationToken);
        var clock = Stopwatch.StartNew();
        await ExecuteAsync(connection, "PRAGMA synchronous = OFF; PRAGMA cache_size = -524288; PRAGMA temp_store = MEMORY", cancellationToken);
        var indexes = await SecondaryIndexesAsync(connection, cancellationToken);
        foreach (var (name, _) in indexes)
        {
            await ExecuteAsync(connection, $"DROP INDEX \"{name}\"", cancellationToken);
        }

        var columns = CaseColumn.All;
        await using var insertCase = connection.CreateCommand();
        insertCase.CommandText = $"INSERT INTO {schema.Cases} ({schema.ColumnList}) VALUES ({string.Join(", ", columns.Select((_, i) => $"@c{i}"))})";
        var caseParameters = columns.Select((_, i) => insertCase.Parameters.Add(new SqliteParameter($"@c{i}", null))).ToArray();
        await using var insertTopic = connection.CreateCommand();
        insertTopic.CommandText = $"INSERT INTO {schema.Topics} (\"CaseId\", \"Topic\") VALUES (@case, @topic)";
        var topicCase = insertTopic.Parameters.Add(new SqliteParameter("@case", null));
        var topicName = insertTopic.Parameters.Add(new SqliteParameter("@topic", null));
        var topics = 0;
        SqliteTransaction? transaction = null;
        try
        {
            for (var i = 0; i < count; i++)
            {
                if (i % RowsPerTransaction == 0)
                {
                    if (transaction is not null)
                    {
                        await transaction.CommitAsync(cancellationToken);
                        await transaction.DisposeAsync();
                    }

                    transaction = connection.BeginTransaction();
                    insertCase.Transaction = transaction;
                    insertTopic.Transaction = transaction;
                    if (i == 0)
                    {
                        insertCase.Prepare();
                        insertTopic.Prepare();
                    }
                }

                var row = faker.Next();
                for (var c = 0; c < columns.Count; c++)
                {
                    caseParameters[c].Value = SqliteValue(columns[c].Value(row));
                }

                await insertCase.ExecuteNonQueryAsync(cancellationToken);
                foreach (var topic in row.Topics)
                {
                    topicCase.Value = SqliteValue(row.Id);
                    topicName.Value = topic;
                    await insertTopic.ExecuteNonQueryAsync(cancellationToken);
                    topics++;
                }

                if ((i + 1) % 200_000 == 0)
                {
                    progress($"{i + 1:N0} cases inserted ({clock.Elapsed.TotalSeconds:N0} s)");
                }
            }

            if (transaction is not null)
            {
                await transaction.CommitAsync(cancellationToken);
            }
        }
        finally
        {
            if (transaction is not null)
            {
                await transaction.DisposeAsync();
            }
        }

        var loaded = clock.Elapsed;
        foreach (var (_, sql) in indexes)
        {
            await ExecuteAsync(connection, sql, cancellationToken);
        }

        var indexed = clock.Elapsed;
        await ExecuteAsync(connection, "ANALYZE; PRAGMA optimize; PRAGMA wal_checkpoint(TRUNCATE)", cancellationToken);
        return new SeedResult(count, topics, loaded, indexed - loaded, clock.Elapsed - indexed, indexes.Count, leftNull);
    }

    /// <summary>How the API stores a value on SQLite: ids as upper-case text, times as UTC ticks.</summary>
    public static object SqliteValue(object? value) => value switch
    {
        null => DBNull.Value,
        Guid id => id.ToString().ToUpperInvariant(),
        DateTimeOffset at => at.UtcTicks,
        bool flag => flag ? 1 : 0,
        _ => value,
    };

    private static async Task<List<(string Name, string Sql)>> SecondaryIndexesAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('cases_cases', 'cases_case_topics') AND sql IS NOT NULL ORDER BY name";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var indexes = new List<(string, string)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            indexes.Add((reader.GetString(0), reader.GetString(1)));
        }

        return indexes;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
