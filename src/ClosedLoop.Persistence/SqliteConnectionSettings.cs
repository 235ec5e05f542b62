using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ClosedLoop.Persistence;

/// <summary>
/// What every SQLite connection of the process is given before its first statement:
/// <list type="bullet">
/// <item><c>PRAGMA busy_timeout</c>: SQLite's own busy handler waits for a writer outside a transaction of this process
/// or in another process (writers of this process queue at <see cref="SqliteWriteGate"/>);</item>
/// <item><c>PRAGMA cache_size</c>: the connection's page cache (<see cref="DatabaseOptions.SqliteCacheMiB"/>). SQLite's
/// default of 2 MiB holds about 500 pages, fewer than a list that reads past hundreds of rows touches (an agent's list
/// checks each case against the agent's teams), so every call read its pages from the file again (bench/README.md,
/// Cases).</item>
/// </list>
/// </summary>
/// <remarks>
/// Microsoft.Data.Sqlite keeps native connections open in its pool across opens, and these settings stay with them,
/// so they are made once per native connection instead of on every open (a statement per open, which every short read
/// paid). A native connection last configured with other values is configured again.
/// </remarks>
internal sealed class SqliteConnectionSettings(TimeSpan busyTimeout, int cacheMiB) : DbConnectionInterceptor
{
    // The native connections configured, with the statement that configured them.
    private static readonly ConditionalWeakTable<object, StrongBox<string>> Configured = new();

    private readonly string _pragmas = string.Create(
        CultureInfo.InvariantCulture,
        $"PRAGMA busy_timeout = {(int)Math.Min(int.MaxValue, busyTimeout.TotalMilliseconds)}; PRAGMA cache_size = -{cacheMiB * 1024};");

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Configure(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Configure(connection);
        return Task.CompletedTask;
    }

    private void Configure(DbConnection connection)
    {
        var handle = (connection as SqliteConnection)?.Handle;
        if (handle is not null && Configured.TryGetValue(handle, out var set) && string.Equals(set.Value, _pragmas, StringComparison.Ordinal))
        {
            return;
        }

        using (var command = connection.CreateCommand())
        {
            command.CommandText = _pragmas;
            command.ExecuteNonQuery();
        }

        if (handle is not null)
        {
            Configured.AddOrUpdate(handle, new StrongBox<string>(_pragmas));
        }
    }
}
