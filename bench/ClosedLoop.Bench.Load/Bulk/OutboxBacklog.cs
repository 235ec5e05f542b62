using System.Data.Common;
using ClosedLoop.Bench.Hosting;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ClosedLoop.Bench.Load.Bulk;

/// <summary>
/// Messages still to hand over in every module's outbox of the API's database: what an import leaves for the
/// dispatcher (each routed item's case, each case's link back). Zero means the import's effects are all done.
/// </summary>
internal static class OutboxBacklog
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>Polls until nothing is pending (or <paramref name="timeout"/>); returns how long that took.</summary>
    public static async Task<TimeSpan> WaitUntilSettledAsync(Provider provider, string apiConnectionString, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using DbConnection connection = provider == Provider.Sqlite ? new SqliteConnection(apiConnectionString) : new NpgsqlConnection(apiConnectionString);
        await connection.OpenAsync(cancellationToken);
        var tables = await TablesAsync(connection, provider, cancellationToken);
        var count = "SELECT " + string.Join(" + ", tables.Select(t =>
            $"(SELECT COUNT(*) FROM {t} WHERE \"ProcessedAt\" IS NULL AND \"FailedAt\" IS NULL)"));
        while (clock.Elapsed < timeout)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = count;
            if (Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) == 0)
            {
                return clock.Elapsed;
            }

            await Task.Delay(PollInterval, cancellationToken);
        }

        throw new TimeoutException($"The outboxes still had pending messages after {timeout}.");
    }

    private static async Task<List<string>> TablesAsync(DbConnection connection, Provider provider, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = provider == Provider.Sqlite
            ? "SELECT '\"' || name || '\"' FROM sqlite_master WHERE type = 'table' AND name LIKE '%\\_outbox\\_messages' ESCAPE '\\'"
            : "SELECT table_schema || '.outbox_messages' FROM information_schema.tables WHERE table_name = 'outbox_messages'";
        var tables = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            tables.Add(reader.GetString(0));
        }

        return tables.Count > 0 ? tables : throw new InvalidOperationException("The API's database has no outbox tables.");
    }
}
