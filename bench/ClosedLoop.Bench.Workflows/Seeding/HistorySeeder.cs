using System.Data.Common;
using System.Diagnostics;
using ClosedLoop.Bench.Hosting;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace ClosedLoop.Bench.Workflows.Seeding;

/// <summary>A finished instance the API ran in this run: its state and its log, the pattern every seeded instance copies.</summary>
internal sealed record InstanceTemplate(string DefinitionId, int Version, string StateJson, int Revision, IReadOnlyList<ExecutionTemplate> Executions);

internal sealed record ExecutionTemplate(int Sequence, string ActivityId, string ActivityType, string Outcome, string? Port, string? Message, TimeSpan Offset, int DurationMs);

/// <summary>What the seeding did (reported, never measured against anything).</summary>
internal sealed record SeedResult(int Instances, long Executions, TimeSpan Load, TimeSpan Indexes, TimeSpan Analyze);

/// <summary>
/// History straight into the API's tables with the API stopped: finished instances of the routed loop, each a copy of
/// one instance the API completed earlier in the run (same state, same log with its times shifted), created over the
/// year before now, each for its own case id. As one loads a live table in bulk: the secondary indexes of
/// <c>instances</c> and <c>executions</c> dropped (their SQL kept), rows in (PostgreSQL: binary COPY; SQLite: prepared
/// INSERTs, 50,000 instances per transaction, <c>synchronous=OFF</c> on the loading connection only), the indexes
/// re-created from the same SQL, then statistics (VACUUM ANALYZE; ANALYZE + PRAGMA optimize).
/// </summary>
internal static class HistorySeeder
{
    private const int PerTransaction = 50_000;

    public static async Task<InstanceTemplate> ReadTemplateAsync(Provider provider, string connectionString, int version, CancellationToken cancellationToken)
    {
        await using var connection = Open(provider, connectionString);
        await connection.OpenAsync(cancellationToken);
        var (instances, executions) = Tables(provider);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""SELECT "Id", "DefinitionId", "StateJson", "Revision", "CreatedAt" FROM {instances} WHERE "DefinitionId" = '{Loops.DefinitionId}' AND "Version" = {version} AND "Status" = 'Completed' ORDER BY "CreatedAt" DESC LIMIT 1""";
        object id;
        string definitionId, state;
        int revision;
        DateTimeOffset created;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                throw new BenchException($"No completed instance of version {version} to copy.");
            }

            id = reader.GetValue(0);
            definitionId = reader.GetString(1);
            state = reader.GetString(2);
            revision = reader.GetInt32(3);
            created = ReadTime(reader, 4);
        }

        command.CommandText = $"""SELECT "Sequence", "ActivityId", "ActivityType", "Outcome", "Port", "Message", "At", "DurationMs" FROM {executions} WHERE "InstanceId" = @id ORDER BY "Sequence" """;
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@id";
        parameter.Value = id;
        command.Parameters.Add(parameter);
        var log = new List<ExecutionTemplate>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                log.Add(new ExecutionTemplate(reader.GetInt32(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5), ReadTime(reader, 6) - created, reader.GetInt32(7)));
            }
        }

        return new InstanceTemplate(definitionId, version, state, revision, log);
    }

    public static async Task<SeedResult> SeedAsync(Provider provider, string connectionString, InstanceTemplate template, int count, Action<string> progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var (instancesTable, executionsTable) = Tables(provider);
        await using var connection = Open(provider, connectionString);
        await connection.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, provider == Provider.Sqlite
            ? "PRAGMA synchronous = OFF; PRAGMA cache_size = -524288; PRAGMA temp_store = MEMORY"
            : "SET maintenance_work_mem = '512MB'", cancellationToken);
        var indexes = await SecondaryIndexesAsync(connection, provider, cancellationToken);
        foreach (var (name, _) in indexes)
        {
            await ExecuteAsync(connection, provider == Provider.Sqlite ? $"DROP INDEX \"{name}\"" : $"DROP INDEX workflows.\"{name}\"", cancellationToken);
        }

        var random = new Random(42);
        var end = DateTimeOffset.UtcNow.AddDays(-1);
        var span = TimeSpan.FromDays(365);
        IEnumerable<(Guid Id, Guid Case, DateTimeOffset Created)> Rows()
        {
            for (var i = 0; i < count; i++)
            {
                var created = end - span + TimeSpan.FromTicks((long)(span.Ticks * ((double)i / count))) + TimeSpan.FromMilliseconds(random.Next(1000));
                yield return (Guid.CreateVersion7(created), Guid.NewGuid(), created);
            }
        }

        long executions;
        if (connection is NpgsqlConnection postgres)
        {
            executions = await CopyAsync(postgres, instancesTable, executionsTable, template, Rows(), count, progress, clock, cancellationToken);
        }
        else
        {
            executions = await InsertAsync((SqliteConnection)connection, instancesTable, executionsTable, template, Rows(), progress, clock, cancellationToken);
        }

        var loaded = clock.Elapsed;
        foreach (var (_, sql) in indexes)
        {
            await ExecuteAsync(connection, sql, cancellationToken);
        }

        var indexed = clock.Elapsed;
        // VACUUM runs outside a transaction, so one statement per command on PostgreSQL.
        foreach (var sql in provider == Provider.Sqlite
            ? ["ANALYZE; PRAGMA optimize; PRAGMA wal_checkpoint(TRUNCATE)"]
            : new[] { $"VACUUM (ANALYZE) {instancesTable}", $"VACUUM (ANALYZE) {executionsTable}" })
        {
            await ExecuteAsync(connection, sql, cancellationToken);
        }
        return new SeedResult(count, executions, loaded, indexed - loaded, clock.Elapsed - indexed);
    }

    private static async Task<long> CopyAsync(NpgsqlConnection connection, string instances, string executions, InstanceTemplate template,
        IEnumerable<(Guid Id, Guid Case, DateTimeOffset Created)> rows, int count, Action<string> progress, Stopwatch clock, CancellationToken cancellationToken)
    {
        var logged = new List<(Guid Id, DateTimeOffset Created)>(count);
        var finish = template.Executions.Count > 0 ? template.Executions[^1].Offset : TimeSpan.Zero;
        await using (var copy = await connection.BeginBinaryImportAsync(
            $"""COPY {instances} ("Id", "DefinitionId", "Version", "CorrelationId", "StartKey", "Status", "StateJson", "CreatedAt", "UpdatedAt", "FinishedAt", "RunnableSince", "LeaseOwner", "LeaseUntil", "Revision") FROM STDIN (FORMAT BINARY)""",
            cancellationToken))
        {
            foreach (var (id, @case, created) in rows)
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(id, NpgsqlDbType.Uuid, cancellationToken);
                await copy.WriteAsync(template.DefinitionId, NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(template.Version, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(@case, NpgsqlDbType.Uuid, cancellationToken);
                await copy.WriteAsync($"{template.DefinitionId}:{@case:N}", NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync("Completed", NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(template.StateJson, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(created.UtcDateTime, NpgsqlDbType.TimestampTz, cancellationToken);
                await copy.WriteAsync((created + finish).UtcDateTime, NpgsqlDbType.TimestampTz, cancellationToken);
                await copy.WriteAsync((created + finish).UtcDateTime, NpgsqlDbType.TimestampTz, cancellationToken);
                await copy.WriteNullAsync(cancellationToken);
                await copy.WriteNullAsync(cancellationToken);
                await copy.WriteNullAsync(cancellationToken);
                await copy.WriteAsync(template.Revision, NpgsqlDbType.Integer, cancellationToken);
                logged.Add((id, created));
            }

            await copy.CompleteAsync(cancellationToken);
        }

        progress($"{count:N0} instances copied ({clock.Elapsed.TotalSeconds:N0} s)");
        long written = 0;
        await using (var copy = await connection.BeginBinaryImportAsync(
            $"""COPY {executions} ("InstanceId", "Sequence", "ActivityId", "ActivityType", "Outcome", "Port", "Message", "At", "DurationMs") FROM STDIN (FORMAT BINARY)""",
            cancellationToken))
        {
            foreach (var (id, created) in logged)
            {
                foreach (var e in template.Executions)
                {
                    await copy.StartRowAsync(cancellationToken);
                    await copy.WriteAsync(id, NpgsqlDbType.Uuid, cancellationToken);
                    await copy.WriteAsync(e.Sequence, NpgsqlDbType.Integer, cancellationToken);
                    await copy.WriteAsync(e.ActivityId, NpgsqlDbType.Varchar, cancellationToken);
                    await copy.WriteAsync(e.ActivityType, NpgsqlDbType.Varchar, cancellationToken);
                    await copy.WriteAsync(e.Outcome, NpgsqlDbType.Varchar, cancellationToken);
                    await WriteNullableAsync(copy, e.Port, cancellationToken);
                    await WriteNullableAsync(copy, e.Message, cancellationToken);
                    await copy.WriteAsync((created + e.Offset).UtcDateTime, NpgsqlDbType.TimestampTz, cancellationToken);
                    await copy.WriteAsync(e.DurationMs, NpgsqlDbType.Integer, cancellationToken);
                    written++;
                }
            }

            await copy.CompleteAsync(cancellationToken);
        }

        progress($"{written:N0} executions copied ({clock.Elapsed.TotalSeconds:N0} s)");
        return written;
    }

    private static async Task WriteNullableAsync(NpgsqlBinaryImporter copy, string? value, CancellationToken cancellationToken)
    {
        if (value is null)
        {
            await copy.WriteNullAsync(cancellationToken);
        }
        else
        {
            await copy.WriteAsync(value, NpgsqlDbType.Varchar, cancellationToken);
        }
    }

    private static async Task<long> InsertAsync(SqliteConnection connection, string instances, string executions, InstanceTemplate template,
        IEnumerable<(Guid Id, Guid Case, DateTimeOffset Created)> rows, Action<string> progress, Stopwatch clock, CancellationToken cancellationToken)
    {
        var finish = template.Executions.Count > 0 ? template.Executions[^1].Offset : TimeSpan.Zero;
        await using var insertInstance = connection.CreateCommand();
        insertInstance.CommandText = $"""
            INSERT INTO {instances} ("Id", "DefinitionId", "Version", "CorrelationId", "StartKey", "Status", "StateJson", "CreatedAt", "UpdatedAt", "FinishedAt", "RunnableSince", "LeaseOwner", "LeaseUntil", "Revision")
            VALUES (@id, @definition, @version, @case, @key, 'Completed', @state, @created, @finished, @finished, NULL, NULL, NULL, @revision)
            """;
        var pId = insertInstance.Parameters.Add(new SqliteParameter("@id", null));
        insertInstance.Parameters.Add(new SqliteParameter("@definition", template.DefinitionId));
        insertInstance.Parameters.Add(new SqliteParameter("@version", template.Version));
        var pCase = insertInstance.Parameters.Add(new SqliteParameter("@case", null));
        var pKey = insertInstance.Parameters.Add(new SqliteParameter("@key", null));
        insertInstance.Parameters.Add(new SqliteParameter("@state", template.StateJson));
        var pCreated = insertInstance.Parameters.Add(new SqliteParameter("@created", null));
        var pFinished = insertInstance.Parameters.Add(new SqliteParameter("@finished", null));
        insertInstance.Parameters.Add(new SqliteParameter("@revision", template.Revision));
        await using var insertExecution = connection.CreateCommand();
        insertExecution.CommandText = $"""
            INSERT INTO {executions} ("InstanceId", "Sequence", "ActivityId", "ActivityType", "Outcome", "Port", "Message", "At", "DurationMs")
            VALUES (@instance, @sequence, @activity, @type, @outcome, @port, @message, @at, @ms)
            """;
        var eInstance = insertExecution.Parameters.Add(new SqliteParameter("@instance", null));
        var eSequence = insertExecution.Parameters.Add(new SqliteParameter("@sequence", null));
        var eActivity = insertExecution.Parameters.Add(new SqliteParameter("@activity", null));
        var eType = insertExecution.Parameters.Add(new SqliteParameter("@type", null));
        var eOutcome = insertExecution.Parameters.Add(new SqliteParameter("@outcome", null));
        var ePort = insertExecution.Parameters.Add(new SqliteParameter("@port", null));
        var eMessage = insertExecution.Parameters.Add(new SqliteParameter("@message", null));
        var eAt = insertExecution.Parameters.Add(new SqliteParameter("@at", null));
        var eMs = insertExecution.Parameters.Add(new SqliteParameter("@ms", null));
        long written = 0;
        var i = 0;
        SqliteTransaction? transaction = null;
        try
        {
            foreach (var (id, @case, created) in rows)
            {
                if (i % PerTransaction == 0)
                {
                    if (transaction is not null)
                    {
                        await transaction.CommitAsync(cancellationToken);
                        await transaction.DisposeAsync();
                    }

                    transaction = connection.BeginTransaction();
                    insertInstance.Transaction = transaction;
                    insertExecution.Transaction = transaction;
                    if (i == 0)
                    {
                        insertInstance.Prepare();
                        insertExecution.Prepare();
                    }
                }

                var idText = id.ToString().ToUpperInvariant();
                pId.Value = idText;
                pCase.Value = @case.ToString().ToUpperInvariant();
                pKey.Value = $"{template.DefinitionId}:{@case:N}";
                pCreated.Value = created.UtcTicks;
                pFinished.Value = (created + finish).UtcTicks;
                await insertInstance.ExecuteNonQueryAsync(cancellationToken);
                foreach (var e in template.Executions)
                {
                    eInstance.Value = idText;
                    eSequence.Value = e.Sequence;
                    eActivity.Value = e.ActivityId;
                    eType.Value = e.ActivityType;
                    eOutcome.Value = e.Outcome;
                    ePort.Value = (object?)e.Port ?? DBNull.Value;
                    eMessage.Value = (object?)e.Message ?? DBNull.Value;
                    eAt.Value = (created + e.Offset).UtcTicks;
                    eMs.Value = e.DurationMs;
                    await insertExecution.ExecuteNonQueryAsync(cancellationToken);
                    written++;
                }

                if (++i % 200_000 == 0)
                {
                    progress($"{i:N0} instances and {written:N0} executions inserted ({clock.Elapsed.TotalSeconds:N0} s)");
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

        return written;
    }

    private static (string Instances, string Executions) Tables(Provider provider) => provider == Provider.Sqlite
        ? ("\"workflows_instances\"", "\"workflows_executions\"")
        : ("workflows.instances", "workflows.executions");

    /// <summary>Not pooled: the loading settings must not stay with a connection anyone else gets.</summary>
    private static DbConnection Open(Provider provider, string connectionString) => provider == Provider.Sqlite
        ? new SqliteConnection(new SqliteConnectionStringBuilder(connectionString) { Pooling = false }.ToString())
        : new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, CommandTimeout = 0 }.ToString());

    private static DateTimeOffset ReadTime(DbDataReader reader, int ordinal) => reader.GetValue(ordinal) switch
    {
        long ticks => new DateTimeOffset(ticks, TimeSpan.Zero),
        DateTime at => new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)),
        DateTimeOffset at => at,
        var other => throw new BenchException($"Unexpected time value {other}."),
    };

    private static async Task<List<(string Name, string Sql)>> SecondaryIndexesAsync(DbConnection connection, Provider provider, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = provider == Provider.Sqlite
            ? "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('workflows_instances', 'workflows_executions') AND sql IS NOT NULL ORDER BY name"
            : """
              SELECT c.relname::text, pg_get_indexdef(i.indexrelid)
              FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
              WHERE i.indrelid IN ('workflows.instances'::regclass, 'workflows.executions'::regclass)
                AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
              ORDER BY c.relname
              """;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var indexes = new List<(string, string)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            indexes.Add((reader.GetString(0), reader.GetString(1)));
        }

        return indexes;
    }

    private static async Task ExecuteAsync(DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
