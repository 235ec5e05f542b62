using System.Globalization;
using Npgsql;

namespace ClosedLoop.Bench.Workflows;

/// <summary>
/// Diagnostics (<c>--pg-stats</c>): what the database did per loop, from PostgreSQL's cumulative statistics
/// (<c>pg_stat_database</c>, <c>pg_stat_user_tables</c>; no extension needed): commits, and rows inserted, updated and
/// deleted and index and sequential scans per table. Backends publish their counts when idle for a while, so a
/// reading waits 11 s first (PGSTAT_IDLE_INTERVAL is 10 s).
/// </summary>
internal sealed class PostgresActivity(string connectionString)
{
    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(11);

    public async Task<Snapshot> ReadAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT pg_stat_clear_snapshot()", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
        command.CommandText = "SELECT xact_commit, xact_rollback FROM pg_stat_database WHERE datname = current_database()";
        long commits, rollbacks;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            (commits, rollbacks) = (reader.GetInt64(0), reader.GetInt64(1));
        }

        command.CommandText = "SELECT schemaname || '.' || relname, n_tup_ins, n_tup_upd, n_tup_del, coalesce(idx_scan, 0), seq_scan FROM pg_stat_user_tables";
        var tables = new Dictionary<string, long[]>(StringComparer.Ordinal);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                tables[reader.GetString(0)] = [reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5)];
            }
        }

        return new Snapshot(commits, rollbacks, tables);
    }

    public sealed record Snapshot(long Commits, long Rollbacks, Dictionary<string, long[]> Tables)
    {
        /// <summary>Per loop, since <paramref name="before"/>: commits, then the busiest tables.</summary>
        public IEnumerable<string> Describe(Snapshot before, int loops)
        {
            string Per(long value) => (value / (double)loops).ToString("N1", CultureInfo.InvariantCulture);
            yield return $"per loop: {Per(Commits - before.Commits)} commits, {Per(Rollbacks - before.Rollbacks)} rollbacks";
            var rows = Tables.Select(t =>
            {
                var b = before.Tables.TryGetValue(t.Key, out var old) ? old : new long[5];
                return (Table: t.Key, Delta: t.Value.Zip(b, (x, y) => x - y).ToArray());
            }).Where(r => r.Delta.Any(d => d > 0)).OrderByDescending(r => r.Delta.Sum()).ToList();
            foreach (var (table, d) in rows)
            {
                yield return $"  {table}: ins {Per(d[0])}, upd {Per(d[1])}, del {Per(d[2])}, index scans {Per(d[3])}, seq scans {Per(d[4])}";
            }
        }
    }
}
